import type { IncomingMessage } from 'node:http';

/** An oversized body is read to its end (so the client sees the 413) up to this much, then the socket closes. */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;

export type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large'; drained: boolean } | { kind: 'aborted' };

/** Reads a request body up to `limit` bytes; an oversized one is drained (not kept) so the client sees the 413. */
export function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const settle = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      resolve(result);
    };
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else if (size > MAX_DRAINED_BYTES) {
        req.pause();
        settle({ kind: 'too-large', drained: false });
      }
    });
    req.on('end', () =>
      settle(size > limit ? { kind: 'too-large', drained: true } : { kind: 'ok', body: Buffer.concat(chunks) }),
    );
    req.on('error', () => settle({ kind: 'aborted' }));
    req.on('close', () => settle({ kind: 'aborted' }));
  });
}

/** One request header's value, or null; a repeated header counts as its first value. */
export function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** The bearer token of a request's Authorization header, or undefined. */
export function bearerToken(req: IncomingMessage): string | undefined {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
}

/**
 * Whether a request carries the account's `fluent.account` header (SPEC §1: the client sends FLUENT_ACCOUNT_ID as
 * it), when the sandbox stands for a named account; any request does when it does not.
 */
export function carriesAccount(req: IncomingMessage, account: string | null): boolean {
  return account === null || headerValue(req, 'fluent.account') === account;
}

/** The answer to a request without the account's header; it names neither the value given nor the one wanted. */
export const WRONG_ACCOUNT = 'The fluent.account header is missing or names another account';
