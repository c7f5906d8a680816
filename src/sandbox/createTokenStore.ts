import { randomBytes } from 'node:crypto';

/** What POST /oauth/token grants: the tokens and their lifetime; startSandbox adds what the login is. */
export interface TokenGrant {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: 'api';
  refresh_token?: string;
}

/** A token is valid for the login it was granted to, or expired, or unknown. */
export type TokenCheck = { status: 'valid'; username: string } | { status: 'expired' | 'unknown' };

export interface TokenStore {
  /** Issues a new access token for the login (and a refresh token when asked). */
  grantToken(username: string, lifetimeSeconds: number, withRefreshToken: boolean): TokenGrant;
  checkToken(token: string): TokenCheck;
  /**
   * Spends a refresh token: the login it was granted to, or undefined when it is unknown or already spent.
   * Fluent's refresh tokens are single-use, so a client that retries a refresh with the same token is refused.
   */
  spendRefreshToken(token: string): string | undefined;
}

/** Expired tokens are forgotten once this many are held, so a long run with 1 s tokens stays small. */
const SWEEP_ABOVE = 10_000;

/**
 * The sandbox's OAuth token bookkeeping. Tokens are random opaque strings, as Fluent's are, each remembering the
 * login (username) it was granted to so `me` can answer it; expiry follows the injected clock so a test can step
 * past it without waiting.
 */
export function createTokenStore(now: () => number): TokenStore {
  const accessTokens = new Map<string, { username: string; expiresAt: number }>();
  const refreshTokens = new Map<string, string>();

  return {
    grantToken(username, lifetimeSeconds, withRefreshToken) {
      if (accessTokens.size > SWEEP_ABOVE) {
        const time = now();
        for (const [token, held] of accessTokens) if (held.expiresAt <= time) accessTokens.delete(token);
      }
      const accessToken = randomBytes(24).toString('base64url');
      accessTokens.set(accessToken, { username, expiresAt: now() + lifetimeSeconds * 1000 });
      const grant: TokenGrant = {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: lifetimeSeconds,
        scope: 'api',
      };
      if (withRefreshToken) {
        grant.refresh_token = randomBytes(24).toString('base64url');
        refreshTokens.set(grant.refresh_token, username);
      }
      return grant;
    },
    checkToken(token) {
      const held = accessTokens.get(token);
      if (held === undefined) return { status: 'unknown' };
      return now() < held.expiresAt ? { status: 'valid', username: held.username } : { status: 'expired' };
    },
    spendRefreshToken(token) {
      const username = refreshTokens.get(token);
      refreshTokens.delete(token);
      return username;
    },
  };
}
