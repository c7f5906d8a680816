/**
 * The only code that talks HTTP to Fluent, assembled from its rooms: the transport (createTransport), the answer
 * classifier (classifyAnswer), the retry loop (retryAttempts), the pace (createRatePacer: the adaptive rate, the
 * limiter and a gate for spells of refusals), auth
 * (createTokenSource, createGrantRequest), the paginator (paginate), the customer API and the account API.
 */
import { createScrubber } from '../shared/createScrubber.js';
import { escapeControl } from '../shared/escapeControl.js';
import { createAccountApi } from './createAccountApi.js';
import { createCustomerApi } from './createCustomerApi.js';
import { createGrantRequest } from './createGrantRequest.js';
import { createGraphqlExecutor, type GraphqlCounts } from './createGraphqlExecutor.js';
import { createRatePacer } from './createRatePacer.js';
import { createTokenSource } from './createTokenSource.js';
import { createTransport } from './createTransport.js';
import { secretValues } from './credentials.js';
import type { FluentClient, FluentClientOptions } from './fluentClientTypes.js';
import type { RetryPolicy } from './retryAttempts.js';

export { MAX_RETAILERS } from './createAccountApi.js';
export type { RateLearnt } from './createAdaptiveRate.js';
export type {
  AccountAnswer,
  BatchAnswer,
  BatchMutation,
  BatchResult,
  ClientStats,
  FluentClient,
  FluentClientOptions,
  ListedCustomer,
  RetryEvent,
} from './fluentClientTypes.js';
export type { Listing } from './paginate.js';

/**
 * Creates a Fluent GraphQL client.
 *
 * - Queries retry every transient failure (5xx, network errors, timeouts) with back-off, up to `maxAttempts`; then
 *   OmsUnreachableError (exit 3).
 * - Mutations retry only what certainly was not applied (429, C0011E, 401, a connection that never opened); a 5xx,
 *   a timeout or a cut connection throws AmbiguousMutationError at once, for the caller to resolve by lookup.
 * - A refusal for the rate (429, or C0011E inside HTTP 200) waits for its Retry-After, else a wait that grows towards
 *   60 s (a penalty box); the run gives up only after `rateBudgetMs` of refusals of one request.
 * - Fluent's error codes decide before the HTTP status, wherever they stand in the message or in extensions.code
 *   (classifyAnswer): C0020E and any 403 stop the run (PermissionDeniedError); C0001E asks again with less.
 * - A 401 renews the token (one grant shared by all); a 401 again on a newer token is CredentialsRefusedError.
 * - Every attempt waits for the rate limiter, whose rate adapts (createAdaptiveRate): refusals lower it, answers
 *   raise it again, never above `ratePerSecond`.
 * - Everything Fluent says that reaches a message is scrubbed of secrets and control characters first.
 */
export function createFluentClient(options: FluentClientOptions): FluentClient {
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const random = options.random ?? Math.random;
  const scrubber = options.scrubber ?? createScrubber();
  for (const value of secretValues(options.credentials)) {
    scrubber.add(value);
    // The grant's form body carries them URL-encoded: a server echoing the body must not leak them either.
    scrubber.add(new URLSearchParams({ v: value }).toString().slice(2));
  }
  /** For any text Fluent sends back that may reach a message: no secret, no control character. */
  const clean = (text: string) => escapeControl(scrubber.scrub(text));

  const transport = createTransport({
    apiHost: options.apiHost,
    timeoutMs: options.requestTimeoutMs ?? 30_000,
    ...(options.connections === undefined ? {} : { connections: options.connections }),
  });
  const retry: RetryPolicy = {
    host: transport.origin,
    maxAttempts: Math.max(1, options.maxAttempts ?? 8),
    rateBudgetMs: options.rateBudgetMs ?? 600_000,
    delays: {
      baseBackoffMs: options.baseBackoffMs ?? 250,
      maxBackoffMs: options.maxBackoffMs ?? 15_000,
      maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
      rateBackoffMs: options.rateBackoffMs ?? 1_000,
      maxRateBackoffMs: options.maxRateBackoffMs ?? 60_000,
      now,
      random,
    },
    now,
    sleep,
    onRetry: options.onRetry,
  };
  const accountHeader: Record<string, string> = options.accountId ? { 'fluent.account': options.accountId } : {};
  let tokenGrants = 0;
  const tokens = createTokenSource({
    credentials: options.credentials,
    requestGrant: createGrantRequest(transport, retry, accountHeader),
    now,
    onSecret: scrubber.add,
    clean,
    onGrant: () => {
      tokenGrants += 1;
    },
  });
  const pacer = createRatePacer({ max: options.ratePerSecond, now, sleep, delays: retry.delays });
  const counts: GraphqlCounts = { graphql: 0, retries: 0, rateLimited: 0 };
  const execute = createGraphqlExecutor({
    transport,
    tokens,
    pacer,
    retry,
    headers: accountHeader,
    clean,
    counts,
  });

  return {
    ...createCustomerApi(execute),
    ...createAccountApi(execute, clean, random),
    authenticate: async () => {
      await tokens.current();
    },
    grantDetails: () => tokens.details(),
    stats: () => ({ ...counts, tokenGrants, allowedRate: pacer.rate() }),
    rateLearnt: () => pacer.learnt(),
    close: () => transport.close(),
  };
}
