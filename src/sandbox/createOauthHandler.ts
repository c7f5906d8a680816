import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SandboxAccess } from './createSandboxAccess.js';
import type { TokenStore } from './createTokenStore.js';
import { carriesAccount, headerValue, readBody, WRONG_ACCOUNT } from './readBody.js';
import type { SandboxCredentials, SandboxFaults, SandboxStats } from './sandboxTypes.js';

const MAX_TOKEN_BODY_BYTES = 64 * 1024;
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

/** Answers after the injected latency, counting the answer in the sandbox's stats. */
export type Answer = (
  res: ServerResponse,
  status: number,
  body: unknown,
  headers?: Record<string, string>,
) => Promise<void>;

export interface OauthDeps {
  tokens: TokenStore;
  access: SandboxAccess;
  /** The only credentials accepted, or undefined to accept any non-empty ones. */
  credentials: SandboxCredentials | undefined;
  /** The `fluent.account` header value a token request must carry, or null. */
  account: string | null;
  faults(): SandboxFaults;
  answer: Answer;
  counters: Pick<SandboxStats, 'tokenGrants' | 'refreshGrants'>;
  accountHeader: SandboxStats['accountHeader'];
}

/**
 * `POST /oauth/token` as Fluent documents it (SPEC §1): a password grant with scope api, answered with the tokens
 * and who the login is; with refresh tokens switched on, single-use refresh grants that name the client too.
 */
export function createOauthHandler(
  deps: OauthDeps,
): (req: IncomingMessage, res: ServerResponse, query: URLSearchParams) => Promise<void> {
  const { tokens, access, credentials, answer, counters } = deps;

  /** A token answer as Fluent documents it: the tokens, then who the login is. */
  const grantFor = (username: string, lifetime: number, withRefreshToken: boolean) => ({
    ...tokens.grantToken(username, lifetime, withRefreshToken),
    ...access.tokenProfile(),
  });

  return async (req, res, query) => {
    deps.accountHeader.oauth = headerValue(req, 'fluent.account');
    const read = await readBody(req, MAX_TOKEN_BODY_BYTES);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') return answer(res, 413, { error: 'invalid_request' }, { connection: 'close' });
    // A token server for one account does not know the client of another.
    if (!carriesAccount(req, deps.account)) {
      return answer(res, 401, { error: 'invalid_client', error_description: WRONG_ACCOUNT });
    }
    // Fluent's docs show the parameters in the query string; clients normally send a form body. Take both.
    const params = new URLSearchParams(query);
    for (const [name, value] of new URLSearchParams(read.body.toString('utf8'))) params.set(name, value);
    const refuse = (description: string) =>
      answer(res, 401, { error: 'invalid_grant', error_description: description });
    const faults = deps.faults();
    const lifetime = faults.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    const withRefreshToken = faults.issueRefreshTokens === true;

    const grantType = params.get('grant_type');
    if (grantType === 'password') {
      if (params.get('scope') !== 'api') {
        return answer(res, 400, { error: 'invalid_scope', error_description: 'scope must be api' });
      }
      const given = {
        clientId: params.get('client_id') ?? '',
        clientSecret: params.get('client_secret') ?? '',
        username: params.get('username') ?? '',
        password: params.get('password') ?? '',
      };
      if (Object.values(given).some((value) => value === '')) {
        return refuse('client_id, client_secret, username and password are all required');
      }
      if (
        credentials &&
        !(
          sameSecret(given.clientId, credentials.clientId) &&
          sameSecret(given.clientSecret, credentials.clientSecret) &&
          sameSecret(given.username, credentials.username) &&
          sameSecret(given.password, credentials.password)
        )
      ) {
        return refuse('Bad credentials');
      }
      counters.tokenGrants++;
      return answer(res, 200, grantFor(given.username, lifetime, withRefreshToken));
    }
    if (grantType === 'refresh_token' && withRefreshToken) {
      // Fluent's refresh grant names the client too; a refresh token alone is not enough.
      const clientId = params.get('client_id') ?? '';
      const clientSecret = params.get('client_secret') ?? '';
      if (clientId === '' || clientSecret === '') return refuse('client_id and client_secret are required');
      if (
        credentials &&
        !(sameSecret(clientId, credentials.clientId) && sameSecret(clientSecret, credentials.clientSecret))
      ) {
        return refuse('Bad client credentials');
      }
      // Single-use: spent here whatever happens next, so a second use is refused like an unknown one.
      const username = tokens.spendRefreshToken(params.get('refresh_token') ?? '');
      if (username === undefined) {
        return answer(res, 400, { error: 'invalid_grant', error_description: 'Invalid or already used refresh token' });
      }
      counters.refreshGrants++;
      return answer(res, 200, grantFor(username, lifetime, true));
    }
    return answer(res, 400, {
      error: 'unsupported_grant_type',
      error_description: withRefreshToken ? 'use password or refresh_token' : 'use password',
    });
  };
}

/** Compares secrets in constant time (hashing first so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
