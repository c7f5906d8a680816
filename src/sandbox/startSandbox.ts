import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { createFaultInjector } from './createFaultInjector.js';
import { createPageFaults } from './createPageFaults.js';
import { createQueryLimits } from './createQueryLimits.js';
import { createSandboxAccess } from './createSandboxAccess.js';
import { createSandboxExecutor, type GraphqlRequest } from './createSandboxExecutor.js';
import { createSandboxLimiter } from './createSandboxLimiter.js';
import { createSandboxStore } from './createSandboxStore.js';
import { createTokenStore } from './createTokenStore.js';
import { type FluentErrorCode, fluentError } from './fluentError.js';
import { parseFaults } from './parseFaults.js';
import { resolveSandboxSettings } from './resolveSandboxSettings.js';
import type { Sandbox, SandboxFaults, SandboxOptions, SandboxStats } from './sandboxTypes.js';
import { resolveSandboxVariants } from './sandboxVariants.js';
import { toBareErrorCodes } from './toBareErrorCodes.js';

export type {
  Sandbox,
  SandboxCredentials,
  SandboxCustomer,
  SandboxFaults,
  SandboxLoginScope,
  SandboxLookupMatch,
  SandboxOptions,
  SandboxPermission,
  SandboxSettings,
  SandboxStats,
  SeedCustomer,
} from './sandboxTypes.js';

/** Fluent's request body limit (SPEC §1). */
const MAX_GRAPHQL_BODY_BYTES = 2 * 1024 * 1024;
const MAX_SMALL_BODY_BYTES = 64 * 1024;
/** An oversized body is read to its end (so the client sees the 413) up to this much, then the socket closes. */
const MAX_DRAINED_BYTES = 64 * 1024 * 1024;
const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

type BodyResult = { kind: 'ok'; body: Buffer } | { kind: 'too-large'; drained: boolean } | { kind: 'aborted' };

/**
 * Starts the local Fluent-compatible OMS (SPEC §1, §6) on 127.0.0.1: `POST /oauth/token`, `POST /graphql`,
 * and `GET /_sandbox/state`, `POST /_sandbox/faults` for people and process-level tests.
 *
 * Every GraphQL request draws its faults when it arrives, then meets them in this order: the rate limit (429),
 * 413, 401, 400, a random 429, a random 5xx (nothing applied), execution, then for a mutation a cut connection
 * or a 5xx after commit (applied). Latency is added before every oauth and graphql response. A rate-limit
 * refusal is a 429, or with `rateLimitAsError` an HTTP 200 holding a C0011E error.
 *
 * It is as strict as a real account can be: retailers exist only when declared, the login's roles decide what it
 * sees and may do, refresh tokens are single-use, and every error carries one of Fluent's codes.
 *
 * @throws UsageError when the fault or account settings are out of range or the port is taken
 */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const now = options.now ?? Date.now;
  const injector = createFaultInjector(checkFaults(options.faults ?? {}));
  const seed = options.seed ?? [];
  const settings = resolveSandboxSettings(options, seed);
  const variants = resolveSandboxVariants(options);
  const limiter = createSandboxLimiter({
    shape: variants.rateLimitShape,
    penaltyMs: variants.penaltyMs,
    limit: () => injector.faults().rateLimitPerSecond,
    now,
  });
  const queryLimits = createQueryLimits({ maxComplexity: variants.maxComplexity });
  const pageFaults = variants.pageFaults && createPageFaults(variants.pageFaults);
  /** Every JSON body goes out through this: with --bare-error-codes, errors carry their code that way. */
  const worded = (body: unknown) => (variants.bareErrorCodes ? toBareErrorCodes(body) : body);
  const store = createSandboxStore(seed, settings, now);
  const access = createSandboxAccess(settings, now);
  const executeGraphql = createSandboxExecutor(store, access, {
    refuses: (username) => {
      const pattern = injector.faults().refuseUsernamePattern;
      const refused = pattern !== undefined && new RegExp(pattern).test(username);
      if (refused) counters.refusedMutations++;
      return refused;
    },
  });
  const tokens = createTokenStore(now);
  const credentials = options.credentials;
  const counters = {
    requests: 0,
    tokenGrants: 0,
    refreshGrants: 0,
    graphql: 0,
    queries: 0,
    unauthorized: 0,
    rateLimited: 0,
    serverErrors: 0,
    cutConnections: 0,
    refusedMutations: 0,
    tooLarge: 0,
  };
  const accountHeader: SandboxStats['accountHeader'] = { oauth: null, graphql: null };
  const timers = new Set<NodeJS.Timeout>();

  function stats(): SandboxStats {
    const { creates, updates } = store.counts();
    return { ...counters, mutations: creates + updates, creates, updates, accountHeader: { ...accountHeader } };
  }

  function waitLatency(): Promise<void> {
    const latencyMs = injector.faults().latencyMs ?? 0;
    if (latencyMs <= 0) return Promise.resolve();
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resolve();
      }, latencyMs);
      timers.add(timer);
    });
  }

  function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
    if (res.destroyed) return;
    const text = JSON.stringify(worded(body));
    res.writeHead(status, {
      'content-type': 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
      ...headers,
    });
    res.end(text);
  }

  async function answer(res: ServerResponse, status: number, body: unknown, headers?: Record<string, string>) {
    await waitLatency();
    countAnswer(status);
    sendJson(res, status, body, headers);
  }

  function countAnswer(status: number): void {
    if (status === 401) counters.unauthorized++;
    else if (status === 413) counters.tooLarge++;
    else if (status === 429) counters.rateLimited++;
    else if (status >= 500) counters.serverErrors++;
  }

  /** `waitMs`: how long the limit says until a request would pass (a penalty box's remaining time). */
  function answerRateLimited(res: ServerResponse, waitMs?: number): Promise<void> {
    const text = 'Rate limit exceeded, retry later';
    if (settings.rateLimitAsError) {
      // Fluent's SDK documents rate limiting as this error inside HTTP 200, not only as 429.
      counters.rateLimited++;
      return answer(res, 200, { ...errorBody('C0011E', text), data: null });
    }
    const penalty = variants.rateLimitShape === 'penalty' && waitMs !== undefined ? waitMs / 1000 : undefined;
    const seconds = injector.faults().retryAfterSeconds ?? penalty ?? 1;
    const retryAfter: Record<string, string> = variants.noRetryAfter
      ? {}
      : { 'retry-after': String(Math.ceil(seconds)) };
    return answer(res, 429, errorBody('C0011E', text), retryAfter);
  }

  async function answerServerError(res: ServerResponse, status: number): Promise<void> {
    await waitLatency();
    countAnswer(status);
    if (res.destroyed) return;
    // Gateways answer 502/504 with HTML; a client must not rely on a JSON body for a 5xx.
    const html = status === 502 || status === 504;
    const text = html
      ? `<html><body><h1>${status}</h1></body></html>`
      : JSON.stringify(worded(errorBody('S0002E', `Internal error (${status})`)));
    res.writeHead(status, {
      'content-type': html ? 'text/html' : 'application/json; charset=utf-8',
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  async function handleGraphql(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.graphql++;
    accountHeader.graphql = headerValue(req, 'fluent.account');
    const faults = injector.decideFaults();
    const admission = limiter.admit();
    if (!admission.admitted) {
      req.resume();
      return answerRateLimited(res, admission.retryAfterMs);
    }
    const read = await readBody(req, MAX_GRAPHQL_BODY_BYTES);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') {
      const headers: Record<string, string> = read.drained ? {} : { connection: 'close' };
      return answer(res, 413, errorBody('C0160E', 'Request body is over 2 MB'), headers);
    }
    const token = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1];
    const check = token === undefined ? { status: 'unknown' as const } : tokens.checkToken(token);
    if (check.status !== 'valid') {
      const description = check.status === 'expired' ? 'The access token expired' : 'Missing or unknown access token';
      return answer(
        res,
        401,
        { error: 'invalid_token', error_description: description },
        { 'www-authenticate': 'Bearer error="invalid_token"' },
      );
    }
    const parsed = parseGraphqlBody(read.body);
    if (typeof parsed === 'string') return answer(res, 400, errorBody('C0160E', parsed));
    // Fluent's documented limits: `first` clamped to 1–5000, C0001E over 11,111 of complexity.
    const limited = queryLimits.apply(parsed);
    if (!limited.ok) return answer(res, 200, limited.body);
    const { request } = limited;
    if (faults.reject429) return answerRateLimited(res);
    if (faults.failBefore !== undefined) return answerServerError(res, faults.failBefore);
    if (faults.refuseMutation && /^\s*mutation\b/.test(request.query)) {
      counters.refusedMutations++;
      return answer(res, 200, {
        ...errorBody('C0160E', 'Invalid input: refused by a data rule (injected fault)'),
        data: null,
      });
    }

    const run = (r: GraphqlRequest) => executeGraphql(r, { username: check.username });
    const execution = pageFaults ? pageFaults.play(request, run) : run(request);
    if (execution.executed === 'query') counters.queries++;
    if (execution.executed === 'mutation') {
      if (faults.cutAfterCommit) {
        await waitLatency();
        counters.cutConnections++;
        req.socket.destroy();
        return;
      }
      if (faults.failAfterCommit !== undefined) return answerServerError(res, faults.failAfterCommit);
    }
    return answer(res, 200, execution.body);
  }

  async function handleOauthToken(req: IncomingMessage, res: ServerResponse, query: URLSearchParams): Promise<void> {
    accountHeader.oauth = headerValue(req, 'fluent.account');
    const read = await readBody(req, MAX_SMALL_BODY_BYTES);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') return answer(res, 413, { error: 'invalid_request' }, { connection: 'close' });
    // Fluent's docs show the parameters in the query string; clients normally send a form body. Take both.
    const params = new URLSearchParams(query);
    for (const [name, value] of new URLSearchParams(read.body.toString('utf8'))) params.set(name, value);
    const refuse = (description: string) =>
      answer(res, 401, { error: 'invalid_grant', error_description: description });
    const faults = injector.faults();
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
  }

  /** A token answer as Fluent documents it: the tokens, then who the login is. */
  function grantFor(username: string, lifetime: number, withRefreshToken: boolean) {
    return { ...tokens.grantToken(username, lifetime, withRefreshToken), ...access.tokenProfile() };
  }

  async function handleSetFaults(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const read = await readBody(req, MAX_SMALL_BODY_BYTES);
    if (read.kind === 'aborted') return;
    if (read.kind === 'too-large') return sendJson(res, 413, { error: 'body too large' }, { connection: 'close' });
    let value: unknown;
    try {
      value = JSON.parse(read.body.toString('utf8'));
    } catch {
      return sendJson(res, 400, { error: 'body is not JSON' });
    }
    const parsed = parseFaults(value);
    if (!parsed.ok) return sendJson(res, 400, { error: parsed.message });
    injector.setFaults(parsed.faults);
    sendJson(res, 200, { faults: injector.faults() });
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /graphql':
        return handleGraphql(req, res);
      case 'POST /oauth/token':
        return handleOauthToken(req, res, url.searchParams);
      case 'GET /_sandbox/state':
        req.resume();
        return sendJson(res, 200, {
          customers: store.snapshot(),
          stats: stats(),
          faults: injector.faults(),
          settings: structuredClone(settings),
        });
      case 'GET /_sandbox/faults':
        req.resume();
        return sendJson(res, 200, { faults: injector.faults() });
      case 'POST /_sandbox/faults':
        return handleSetFaults(req, res);
    }
    req.resume();
    const known = ['/graphql', '/oauth/token', '/_sandbox/state', '/_sandbox/faults'].includes(url.pathname);
    sendJson(res, known ? 405 : 404, { error: known ? 'method not allowed' : 'not found' });
  }

  const server = createServer((req, res) => {
    handleRequest(req, res).catch(() => {
      // A sandbox bug: answer like a broken server rather than leave the client hanging.
      counters.serverErrors++;
      if (!res.headersSent && !res.destroyed) sendJson(res, 500, { errors: [{ message: 'Internal sandbox error' }] });
      else res.destroy();
    });
  });
  const wantedPort = options.port ?? 0;
  if (!Number.isInteger(wantedPort) || wantedPort < 0 || wantedPort > 65535) {
    throw new UsageError(`sandbox port must be a whole number from 0 to 65535, not ${wantedPort}`);
  }
  await new Promise<void>((resolve, reject) => {
    const fail = (error: NodeJS.ErrnoException) => {
      const why = error.code === 'EADDRINUSE' ? 'it is in use' : (error.code ?? error.message);
      reject(new UsageError(`the sandbox cannot listen on 127.0.0.1:${wantedPort}: ${why}`));
    };
    server.once('error', fail);
    server.listen({ port: wantedPort, host: '127.0.0.1' }, () => {
      server.off('error', fail);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    customers: () => store.snapshot(),
    stats,
    settings: () => structuredClone(settings),
    setFaults: (faults: SandboxFaults) => injector.setFaults(checkFaults(faults)),
    close() {
      closing ??= new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        // Keep-alive sockets would hold close() open until they time out; tests must not wait for that.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

function checkFaults(faults: SandboxFaults): SandboxFaults {
  const parsed = parseFaults(faults);
  if (!parsed.ok) throw new UsageError(`sandbox faults: ${parsed.message}`);
  return parsed.faults;
}

/** Reads a request body up to `limit` bytes; an oversized one is drained (not kept) so the client sees the 413. */
function readBody(req: IncomingMessage, limit: number): Promise<BodyResult> {
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

/** The body of POST /graphql as a request, or a message saying why it is not one (answered with 400). */
function parseGraphqlBody(body: Buffer): GraphqlRequest | string {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch {
    return 'Malformed JSON body';
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return 'The body must be a JSON object';
  const { query, variables, operationName } = value as Record<string, unknown>;
  if (typeof query !== 'string' || query === '') return 'The body must hold a query string';
  if (variables != null && (typeof variables !== 'object' || Array.isArray(variables))) {
    return 'variables must be a JSON object';
  }
  if (operationName != null && typeof operationName !== 'string') return 'operationName must be a string';
  return {
    query,
    variables: (variables as Record<string, unknown> | null | undefined) ?? null,
    operationName: operationName ?? null,
  };
}

/** A GraphQL-style error body holding one of Fluent's errors. */
function errorBody(code: FluentErrorCode, text: string): { errors: unknown[] } {
  return { errors: [fluentError(code, text).toJSON()] };
}

/** One request header's value, or null; a repeated header counts as its first value. */
function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return (Array.isArray(value) ? value[0] : value) ?? null;
}

/** Compares secrets in constant time (hashing first so lengths do not leak either). */
function sameSecret(given: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(given), digest(expected));
}
