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
  /** What the newest token answer said about the login; undefined before a grant and for FLUENT_ACCESS_TOKEN. */
  details(): GrantDetails | undefined;
  /** A token that is not about to expire; grants (or refreshes) one when needed. */
  current(): Promise<AccessToken>;
  /** A token newer than `rejected`, which Fluent answered 401: shares the grant with everyone else asking. */
  renew(rejected: AccessToken): Promise<AccessToken>;
}

/**
 * What `/oauth/token` answered. With retries on, the transport retries transient failures itself and throws when
 * they outlast the budget or when the answer makes no sense, so only success and refusal (400/401/403) arrive
 * here. With retries off (a refresh grant), any failure to get an answer arrives as `lost`.
 */
export type GrantAnswer = { status: number; body: unknown } | { lost: string };

/** What the token answer says about the login (Fluent's `Retailer_id`, `Roles`, `FirstName`, `LastName`). */
export interface GrantDetails {
  retailerId?: string;
  roles?: string[];
  firstName?: string;
  lastName?: string;
}

interface HeldToken extends AccessToken {
  /** When to stop using it and grant a new one; undefined when Fluent did not say how long it lives. */
  refreshAt: number | undefined;
}

/**
 * Creates the token source. With `kind: 'token'` (FLUENT_ACCESS_TOKEN) there is nothing to grant: a 401 means
 * the token is refused. With `kind: 'password'` the password grant is used, the refresh_token grant when Fluent
 * handed one out. Fluent's refresh tokens are single-use, so one is forgotten the moment it is sent and never
 * sent again, whatever the answer (no retry: a failed refresh falls back to the password grant).
 */
export function createTokenSource(options: {
  credentials: Credentials;
  requestGrant: (form: Record<string, string>, retry: boolean) => Promise<GrantAnswer>;
  now: () => number;
  /** Called with every access and refresh token the moment it arrives, before anything else reads the answer. */
  onSecret: (value: string) => void;
  /** Turns text from an OAuth error body into something fit for a message (secrets masked). */
  clean: (text: string) => string;
  onGrant?: () => void;
}): TokenSource {
  const { credentials, requestGrant, now, onSecret, clean, onGrant } = options;

  if (credentials.kind === 'token') {
    const token: AccessToken = { value: credentials.accessToken, generation: 0 };
    const variables = [TOKEN_CREDENTIAL_VARIABLE];
    return {
      variables,
      details: () => undefined,
      current: async () => token,
      renew: async () => {
        throw new CredentialsRefusedError(variables, 'HTTP 401 from /graphql');
      },
    };
  }

  const variables = PASSWORD_CREDENTIAL_VARIABLES;
  let held: HeldToken | undefined;
  let refreshToken: string | undefined;
  // Every refresh token ever sent: a server handing the same value out again does not get it twice.
  const spent = new Set<string>();
  let details: GrantDetails | undefined;
  let generation = 0;
  let inFlight: Promise<AccessToken> | undefined;
  // Once Fluent refuses the credentials, every later caller gets the same answer without another grant.
  let refused: CredentialsRefusedError | undefined;

  const grantOnce = async (): Promise<AccessToken> => {
    const refreshing = refreshToken;
    if (refreshing) {
      // Spent the moment it leaves: a lost answer may still have used it up on Fluent's side.
      refreshToken = undefined;
      spent.add(refreshing);
      const startedAt = now();
      const answer = await requestGrant(
        {
          grant_type: 'refresh_token',
          refresh_token: refreshing,
          client_id: credentials.clientId,
          client_secret: credentials.clientSecret,
        },
        false,
      );
      const token = 'status' in answer && answer.status < 300 ? acceptGrant(answer.body, startedAt) : undefined;
      if (token) return token;
      // A refused, lost or unusable refresh is not refused credentials: the password grant decides that.
    }
    const startedAt = now();
    const answer = await requestGrant(
      {
        grant_type: 'password',
        scope: 'api',
        client_id: credentials.clientId,
        client_secret: credentials.clientSecret,
        username: credentials.username,
        password: credentials.password,
      },
      true,
    );
    if ('lost' in answer) throw new Error('the password grant is retried by the transport, never lost');
    if (answer.status >= 300) {
      refused = new CredentialsRefusedError(
        variables,
        `HTTP ${answer.status} from /oauth/token${describeOauthError(answer.body, clean)}`,
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
    const answer = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    const { access_token, expires_in, refresh_token } = answer;
    if (typeof access_token === 'string' && access_token !== '') onSecret(access_token);
    if (typeof refresh_token === 'string' && refresh_token !== '') onSecret(refresh_token);
    if (typeof access_token !== 'string' || access_token === '') return undefined;
    const lifetimeMs = Number(expires_in) * 1000;
    // Counted from when the grant was asked for, so a slow answer errs towards refreshing early.
    const refreshAt =
      Number.isFinite(lifetimeMs) && lifetimeMs > 0
        ? startedAt + lifetimeMs - Math.min(60_000, lifetimeMs / 4)
        : undefined;
    // Only the newest answer's refresh token is kept; an older one belongs to a session that has moved on.
    refreshToken =
      typeof refresh_token === 'string' && refresh_token !== '' && !spent.has(refresh_token)
        ? refresh_token
        : undefined;
    details = readGrantDetails(answer) ?? details;
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
    details: () => (details ? { ...details, roles: details.roles && [...details.roles] } : undefined),
    current: async () => (held && isFresh(held) && !refused ? held : grant()),
    renew: async (rejected) => {
      // Someone else already replaced the rejected token: use theirs rather than grant again.
      if (held && held.generation > rejected.generation && isFresh(held) && !refused) return held;
      return grant();
    },
  };
}

/**
 * Fluent's OAuth error (e.g. `invalid_grant: Bad credentials`) helps the user; it is cleaned first, since a server
 * may echo what it was sent.
 */
function describeOauthError(body: unknown, clean: (text: string) => string): string {
  const { error, error_description } = (typeof body === 'object' && body !== null ? body : {}) as Record<
    string,
    unknown
  >;
  const parts = [error, error_description].filter((part): part is string => typeof part === 'string' && part !== '');
  if (parts.length === 0) return '';
  const text = clean(parts.join(': '));
  return ` ${text.length > 200 ? `${text.slice(0, 200)}…` : text}`;
}

/** The login facts of a token answer; undefined when it holds none (a refresh answer may omit them). */
function readGrantDetails(answer: Record<string, unknown>): GrantDetails | undefined {
  const found: GrantDetails = {};
  const retailerId = answer.Retailer_id;
  if ((typeof retailerId === 'string' && retailerId !== '') || typeof retailerId === 'number') {
    found.retailerId = String(retailerId);
  }
  // Documented as a list of role names; a comma-separated string is read as the same list.
  const roles = typeof answer.Roles === 'string' ? answer.Roles.split(',') : answer.Roles;
  if (Array.isArray(roles)) {
    found.roles = roles.filter((role): role is string => typeof role === 'string').map((role) => role.trim());
    found.roles = found.roles.filter((role) => role !== '');
  }
  if (typeof answer.FirstName === 'string') found.firstName = answer.FirstName;
  if (typeof answer.LastName === 'string') found.lastName = answer.LastName;
  return Object.keys(found).length > 0 ? found : undefined;
}
