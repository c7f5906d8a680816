/**
 * Fluent access tokens for the client: one grant in flight at a time, shared by every request waiting for it.
 */
import type { Credentials } from './credentials.js';
import { CredentialsRefusedError, PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from './errors.js';

/** A bearer token and the order in which it was granted (later grants have higher generations). */
export interface AccessToken {
  readonly value: string;
  readonly generation: number;
}

export interface TokenSource {
  /** The env variables the credentials came from, for messages. */
  readonly variables: readonly string[];
  /** A token that is not about to expire; grants (or refreshes) one when needed. */
  current(): Promise<AccessToken>;
  /** A token newer than `rejected`, which Fluent answered 401: shares the grant with everyone else asking. */
  renew(rejected: AccessToken): Promise<AccessToken>;
}

/**
 * What `/oauth/token` answered. The transport retries transient failures itself and throws when they outlast
 * the budget or when the answer makes no sense, so only success and refusal (400/401/403) arrive here.
 */
export interface GrantAnswer {
  status: number;
  body: unknown;
}

interface HeldToken extends AccessToken {
  /** When to stop using it and grant a new one; undefined when Fluent did not say how long it lives. */
  refreshAt: number | undefined;
}

/**
 * Creates the token source. With `kind: 'token'` (FLUENT_ACCESS_TOKEN) there is nothing to grant: a 401 means
 * the token is refused. With `kind: 'password'` the password grant is used, the refresh_token grant when Fluent
 * handed one out (falling back to the password grant when the refresh is refused).
 */
export function createTokenSource(options: {
  credentials: Credentials;
  requestGrant: (form: Record<string, string>) => Promise<GrantAnswer>;
  now: () => number;
  onGrant?: () => void;
}): TokenSource {
  const { credentials, requestGrant, now, onGrant } = options;

  if (credentials.kind === 'token') {
    const token: AccessToken = { value: credentials.accessToken, generation: 0 };
    const variables = [TOKEN_CREDENTIAL_VARIABLE];
    return {
      variables,
      current: async () => token,
      renew: async () => {
        throw new CredentialsRefusedError(variables, 'HTTP 401 from /graphql');
      },
    };
  }

  const variables = PASSWORD_CREDENTIAL_VARIABLES;
  let held: HeldToken | undefined;
  let refreshToken: string | undefined;
  let generation = 0;
  let inFlight: Promise<AccessToken> | undefined;
  // Once Fluent refuses the credentials, every later caller gets the same answer without another grant.
  let refused: CredentialsRefusedError | undefined;

  const grantOnce = async (): Promise<AccessToken> => {
    if (refreshToken) {
      const startedAt = now();
      const answer = await requestGrant({
        grant_type: 'refresh_token',
        refresh_token: refreshToken,
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
      });
      const token = answer.status < 300 ? acceptGrant(answer.body, startedAt) : undefined;
      if (token) return token;
      // A refused or unusable refresh token is not refused credentials: the password grant decides that.
      refreshToken = undefined;
    }
    const startedAt = now();
    const answer = await requestGrant({
      grant_type: 'password',
      scope: 'api',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      username: credentials.username,
      password: credentials.password,
    });
    if (answer.status >= 300) {
      refused = new CredentialsRefusedError(
        variables,
        `HTTP ${answer.status} from /oauth/token${oauthErrorCode(answer.body)}`,
      );
      throw refused;
    }
    const token = acceptGrant(answer.body, startedAt);
    if (!token) {
      refused = new CredentialsRefusedError(variables, '/oauth/token answered without an access_token');
      throw refused;
    }
    return token;
  };

  const acceptGrant = (body: unknown, startedAt: number): AccessToken | undefined => {
    const { access_token, expires_in, refresh_token } = (body ?? {}) as Record<string, unknown>;
    if (typeof access_token !== 'string' || access_token === '') return undefined;
    const lifetimeMs = Number(expires_in) * 1000;
    // Counted from when the grant was asked for, so a slow answer errs towards refreshing early.
    const refreshAt =
      Number.isFinite(lifetimeMs) && lifetimeMs > 0
        ? startedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 4)
        : undefined;
    if (typeof refresh_token === 'string' && refresh_token !== '') refreshToken = refresh_token;
    generation += 1;
    held = { value: access_token, generation, refreshAt };
    onGrant?.();
    return held;
  };

  const grant = (): Promise<AccessToken> => {
    if (refused) return Promise.reject(refused);
    inFlight ??= grantOnce().finally(() => {
      inFlight = undefined;
    });
    return inFlight;
  };

  const isFresh = (token: HeldToken): boolean => token.refreshAt === undefined || now() < token.refreshAt;

  return {
    variables,
    current: async () => (held && isFresh(held) && !refused ? held : grant()),
    renew: async (rejected) => {
      // Someone else already replaced the rejected token: use theirs rather than grant again.
      if (held && held.generation > rejected.generation && isFresh(held) && !refused) return held;
      return grant();
    },
  };
}

/** Fluent's OAuth error code (e.g. `invalid_grant`) helps the user; free text might echo a value, so only a code. */
function oauthErrorCode(body: unknown): string {
  const error = (body as { error?: unknown } | null)?.error;
  return typeof error === 'string' && /^[a-z_]{1,64}$/i.test(error) ? ` ${error}` : '';
}
