import { randomBytes } from 'node:crypto';

export interface TokenGrant {
  access_token: string;
  token_type: 'bearer';
  expires_in: number;
  scope: 'api';
  refresh_token?: string;
}

export type TokenCheck = 'valid' | 'expired' | 'unknown';

export interface TokenStore {
  /** Issues a new access token (and a refresh token when asked). */
  grantToken(lifetimeSeconds: number, withRefreshToken: boolean): TokenGrant;
  checkToken(token: string): TokenCheck;
  /** Refresh tokens do not expire and stay valid after use, so a retried refresh is harmless. */
  isRefreshToken(token: string): boolean;
}

/** Expired tokens are forgotten once this many are held, so a long run with 1 s tokens stays small. */
const SWEEP_ABOVE = 10_000;

/**
 * The sandbox's OAuth token bookkeeping. Tokens are random opaque strings, as Fluent's are; expiry follows
 * the injected clock so a test can step past it without waiting.
 */
export function createTokenStore(now: () => number): TokenStore {
  const expiries = new Map<string, number>();
  const refreshTokens = new Set<string>();

  return {
    grantToken(lifetimeSeconds, withRefreshToken) {
      if (expiries.size > SWEEP_ABOVE) {
        const time = now();
        for (const [token, expiresAt] of expiries) if (expiresAt <= time) expiries.delete(token);
      }
      const accessToken = randomBytes(24).toString('base64url');
      expiries.set(accessToken, now() + lifetimeSeconds * 1000);
      const grant: TokenGrant = {
        access_token: accessToken,
        token_type: 'bearer',
        expires_in: lifetimeSeconds,
        scope: 'api',
      };
      if (withRefreshToken) {
        grant.refresh_token = randomBytes(24).toString('base64url');
        refreshTokens.add(grant.refresh_token);
      }
      return grant;
    },
    checkToken(token) {
      const expiresAt = expiries.get(token);
      if (expiresAt === undefined) return 'unknown';
      return now() < expiresAt ? 'valid' : 'expired';
    },
    isRefreshToken: (token) => refreshTokens.has(token),
  };
}
