import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { UsageError } from '../errors.js';
import { CONTROL_PATHS, createControlHandler } from './createControlHandler.js';
import { createDataRules } from './createDataRules.js';
import { createFaultInjector } from './createFaultInjector.js';
import { createOauthHandler } from './createOauthHandler.js';
import { createPageFaults } from './createPageFaults.js';
import { createQueryLimits } from './createQueryLimits.js';
import { createSandboxAccess } from './createSandboxAccess.js';
import { createSandboxExecutor, type GraphqlRequest } from './createSandboxExecutor.js';
import { createSandboxLimiter } from './createSandboxLimiter.js';
import { createSandboxStore } from './createSandboxStore.js';
import { createTokenStore } from './createTokenStore.js';
import { type FluentErrorCode, fluentError } from './fluentError.js';
import { parseFaults } from './parseFaults.js';
import { parseGraphqlBody } from './parseGraphqlBody.js';
import { bearerToken, carriesAccount, headerValue, readBody, WRONG_ACCOUNT } from './readBody.js';
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

/**
 * Starts the local Fluent-compatible OMS (SPEC §1, §6) on 127.0.0.1: `POST /oauth/token`, `POST /graphql`,
 * and `GET /_sandbox/state`, `POST /_sandbox/faults` for people and process-level tests (createControlHandler).
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
  const queryLimits = createQueryLimits({ maxComplexity: variants.maxComplexity, maxFirst: variants.maxFirst });
  const pageFaults = variants.pageFaults && createPageFaults(variants.pageFaults);
  /** Every JSON body goes out through this: with --bare-error-codes, errors carry their code that way. */
  const worded = (body: unknown) => (variants.bareErrorCodes ? toBareErrorCodes(body) : body);
  const store = createSandboxStore(seed, settings, now);
  const access = createSandboxAccess(settings, now);
  const executeGraphql = createSandboxExecutor(
    store,
    access,
    createDataRules(injector.faults, () => counters.refusedMutations++),
  );
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
    const token = bearerToken(req);
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
    if (!carriesAccount(req, settings.account)) {
      return answer(res, 401, { error: 'invalid_token', error_description: WRONG_ACCOUNT });
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

  const handleOauthToken = createOauthHandler({
    tokens,
    access,
    credentials,
    account: settings.account,
    faults: injector.faults,
    answer,
    counters,
    accountHeader,
  });
  const handleControl = createControlHandler({
    port: () => port,
    tokens,
    credentials,
    state: () => ({
      customers: store.snapshot(),
      stats: stats(),
      faults: injector.faults(),
      settings: structuredClone(settings),
    }),
    faults: injector.faults,
    setFaults: injector.setFaults,
    sendJson,
  });

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    counters.requests++;
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const route = `${req.method} ${url.pathname}`;
    switch (route) {
      case 'POST /graphql':
        return handleGraphql(req, res);
      case 'POST /oauth/token':
        return handleOauthToken(req, res, url.searchParams);
    }
    if (CONTROL_PATHS.includes(url.pathname)) return handleControl(req, res, url.pathname);
    req.resume();
    const known = ['/graphql', '/oauth/token'].includes(url.pathname);
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
  let port = wantedPort;
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
  port = (server.address() as AddressInfo).port;
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
        server.close(() => {
          store.close();
          resolve();
        });
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

/** A GraphQL-style error body holding one of Fluent's errors. */
function errorBody(code: FluentErrorCode, text: string): { errors: unknown[] } {
  return { errors: [fluentError(code, text).toJSON()] };
}
