/**
 * The only code that talks HTTP to Fluent: GraphQL over an undici keep-alive pool, OAuth tokens, the rate
 * limit, retries of transient failures, and the line between "retry" and "maybe applied" (SPEC §1).
 */
import { Pool } from 'undici';
import { createScrubber, type Scrubber } from '../shared/createScrubber.js';
import { escapeControl } from '../shared/escapeControl.js';
import type { CreateCustomerInput, OmsAttribute, OmsCustomer, UpdateCustomerInput } from '../types.js';
import { computeRetryDelay, type RetryDelayPolicy } from './computeRetryDelay.js';
import { createAdaptiveRate } from './createAdaptiveRate.js';
import { createRateLimiter } from './createRateLimiter.js';
import { type AccessToken, createTokenSource, type GrantAnswer, type GrantDetails } from './createTokenSource.js';
import { type Credentials, secretValues } from './credentials.js';
import { describeTransportError } from './describeTransportError.js';
import {
  batchMutation,
  CREATE_CUSTOMER,
  FIND_CUSTOMERS,
  FIND_RETAILER,
  LIST_CUSTOMERS,
  LIST_RETAILERS,
  PROBE_ALIASES,
  READ_LOGIN,
  UPDATE_CUSTOMER,
} from './documents.js';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  NotFluentHostError,
  OmsUnreachableError,
  PermissionDeniedError,
} from './errors.js';
import { type BatchReading, readBatchAnswer } from './readBatchAnswer.js';
import { readFluentErrors } from './readFluentErrors.js';
import { type LoginInfo, toLoginInfo, type UserNode } from './toLoginInfo.js';
import { type RetailerInfo, type RetailerNode, toRetailerInfo } from './toRetailerInfo.js';

export interface ClientStats {
  /** Every GraphQL HTTP attempt, retries included. */
  graphql: number;
  /** GraphQL attempts that repeated an earlier one (after a transient failure or a 401). */
  retries: number;
  /** GraphQL requests refused for the rate: HTTP 429, or Fluent's C0011E (which may come inside HTTP 200). */
  rateLimited: number;
  /** Access tokens obtained from /oauth/token (password and refresh grants). */
  tokenGrants: number;
  /** The rate the client allows itself now, requests/s: `--rate`, or less while Fluent refuses for the rate. */
  allowedRate: number;
}

/** One create or update of a batch. */
export type BatchMutation =
  | { kind: 'create'; input: CreateCustomerInput }
  | { kind: 'update'; input: UpdateCustomerInput };

/** What became of one mutation of a batch. */
export type BatchResult =
  /** Applied; the customer as Fluent answered it. */
  | { kind: 'done'; customer: OmsCustomer }
  /** Refused for good; `error.alreadyExists` when Fluent says the customer exists. */
  | { kind: 'refused'; error: FluentDataError }
  /** No answer to trust: it may have been applied; look the username up. */
  | { kind: 'lost'; detail: string }
  /** The login lacks the permission (BatchAnswer.denied says which): not applied. */
  | { kind: 'denied' };

export interface BatchAnswer {
  /** One result per mutation, in the order given. */
  results: BatchResult[];
  /** Fluent's C0020E for some mutation: record what was applied, then stop the run with it. */
  denied: PermissionDeniedError | undefined;
}

/** A customer as the account-wide listing gives it: only what missing.csv needs. */
export interface ListedCustomer {
  id: string;
  username: string;
  primaryEmail: string | null;
  retailerId: string | null;
}

/** One page of the account's customers, and the cursor of the next page (undefined after the last one). */
export interface CustomerPage {
  customers: ListedCustomer[];
  next: string | undefined;
}

/**
 * The answer of a question about the account (who the login is, which retailers exist). `ok: false` when Fluent
 * will not or cannot answer it (a missing permission, a schema without the field): a preflight reports that as a
 * finding rather than stopping. Unreachable hosts and refused credentials still throw.
 */
export type AccountAnswer<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface FluentClient {
  /** Every customer, of any retailer, whose username is one of `usernames` (exact match, as Fluent offers). */
  findCustomers(usernames: readonly string[]): Promise<OmsCustomer[]>;
  createCustomer(input: CreateCustomerInput): Promise<OmsCustomer>;
  updateCustomer(input: UpdateCustomerInput): Promise<OmsCustomer>;
  /**
   * Sends creates and updates aliased in one request (`--batch N`), each alias's data or error mapped back to its
   * mutation. Throws AmbiguousMutationError when the whole answer is lost (a 5xx, a timeout, a cut connection: any of
   * them may have been applied), FluentDataError when Fluent refuses the request as a whole (nothing was applied), and
   * the run-stopping errors as every request does. A rate limit on the whole request is retried like a 429.
   */
  mutateBatch(mutations: readonly BatchMutation[]): Promise<BatchAnswer>;
  /**
   * Asks two username lookups aliased in one request, writing nothing: whether Fluent answers aliased fields one by
   * one, as `--batch` needs. `ok: false` with Fluent's reason when it refuses or mixes them up.
   */
  probeAliases(): Promise<AccountAnswer<object>>;
  /**
   * One page of every customer of the account, of any retailer (Fluent's `customers` has no retailer filter), from
   * `after` (a cursor of the previous page) on, at most `first` of them.
   */
  listCustomers(page: { first: number; after?: string | undefined }): Promise<CustomerPage>;
  /** Obtains a token now (a no-op with FLUENT_ACCESS_TOKEN), so a caller can time the grant apart from a lookup. */
  authenticate(): Promise<void>;
  /**
   * What the newest token answer said about the login (`Retailer_id`, `Roles`, `FirstName`, `LastName`);
   * undefined before a grant and with FLUENT_ACCESS_TOKEN. Personal data of the login: never log it.
   */
  grantDetails(): GrantDetails | undefined;
  /** The login, its roles, their permissions and contexts (Fluent's `me`). */
  readLogin(): Promise<AccountAnswer<{ login: LoginInfo }>>;
  /** The retailer with this id, or null when there is none. */
  findRetailer(id: string): Promise<AccountAnswer<{ retailer: RetailerInfo | null }>>;
  /** Every retailer of the account, up to MAX_RETAILERS; `truncated` when more exist. */
  listRetailers(): Promise<AccountAnswer<{ retailers: RetailerInfo[]; truncated: boolean }>>;
  stats(): ClientStats;
  /** Lets in-flight requests finish, then closes the connections. */
  close(): Promise<void>;
}

export interface RetryEvent {
  /** Failed attempts so far for this request. */
  attempt: number;
  status?: number;
  error?: string;
  delayMs: number;
}

export interface FluentClientOptions {
  /** e.g. `https://ACCOUNT.sandbox.api.fluentretail.com`; a path prefix is kept. */
  apiHost: string;
  credentials: Credentials;
  /** Sent as the `fluent.account` header, to /oauth/token and /graphql alike, when set. */
  accountId?: string;
  /**
   * The run's one scrubber. The client adds the credentials and every token it is granted, and scrubs every text
   * Fluent sends back before it goes into an error message. Default: a scrubber of its own.
   */
  scrubber?: Scrubber;
  /**
   * Max GraphQL attempts per second, retries included (`--rate`); the client goes below it while Fluent refuses for
   * the rate and climbs back. `auto`: no maximum, start low and find Fluent's limit.
   */
  ratePerSecond: number | 'auto';
  /** Headers and body timeout per request; default 30 000. */
  requestTimeoutMs?: number;
  /** Attempts per request before giving up on transient failures; default 8. */
  maxAttempts?: number;
  /** Cap on a Retry-After; default 60 000. */
  maxRetryAfterMs?: number;
  /** First back-off ceiling; default 250. */
  baseBackoffMs?: number;
  /** Back-off ceiling; default 15 000. */
  maxBackoffMs?: number;
  /** Max open connections; default unbounded (the caller's concurrency bounds it). */
  connections?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}

/** Larger pages save requests; Fluent's own cap on `first` is undocumented, and paging covers any cap. */
const MAX_PAGE_SIZE = 1000;

/** A preflight lists retailers to help pick `--retailer-id`; an account with more is listed in part. */
export const MAX_RETAILERS = 5000;
const RETAILER_PAGE_SIZE = 200;

/** The permission each customer operation needs (Fluent's "GraphQL Permissions": ENTITY_ACTION). */
const OPERATION_PERMISSIONS: Readonly<Record<string, string>> = {
  FindCustomers: 'CUSTOMER_VIEW',
  ListCustomers: 'CUSTOMER_VIEW',
  CreateCustomer: 'CUSTOMER_CREATE',
  UpdateCustomer: 'CUSTOMER_UPDATE',
};

/** Fluent's retry-later codes, said in a few fixed words: a server's own text may echo anything. */
const TRANSIENT_WORDS: Readonly<Record<string, string>> = {
  C0011E: 'rate limit exceeded',
  C0003E: 'not ready yet, retry later',
};

/** A batch is a mutation whose answer is read alias by alias. */
type OperationKind = 'query' | 'mutation' | 'batch';

/** One attempt's verdict: the value, a transient failure to retry after a delay, or resend at once (after a 401). */
type AttemptResult<T> = { done: T } | { transient: string; status?: number; retryAfter?: string } | { again: true };

/**
 * Creates a Fluent GraphQL client.
 *
 * - Queries retry every transient failure (429, 5xx, network errors, timeouts) with back-off, up to
 *   `maxAttempts`; then OmsUnreachableError (exit 3).
 * - Mutations retry only what certainly was not applied (429, 401, a connection that never opened); a 5xx,
 *   a timeout or a cut connection throws AmbiguousMutationError at once, for the caller to resolve by lookup.
 * - Fluent's error codes decide before the HTTP status (they come inside HTTP 200 too): C0011E and C0003E are
 *   retried like a 429; S....E and T....E like a 5xx; C0020E (missing permission) is PermissionDeniedError, which
 *   stops the run, as is any 403 and a 401 that says the login lacks a permission.
 * - Other GraphQL `errors[]` and HTTP 413 throw FluentDataError with Fluent's message and code.
 * - A 401 renews the token (one grant shared by all); a 401 again on a newer token is CredentialsRefusedError.
 * - Every attempt waits for the rate limiter, whose rate adapts (createAdaptiveRate): a 429 or C0011E lowers it,
 *   answers raise it again, never above `ratePerSecond`.
 * - A batch (`mutateBatch`) is read alias by alias first (readBatchAnswer); only an answer about the whole request
 *   goes through the rules above, as a mutation's.
 * - Everything Fluent says that reaches a message is scrubbed of secrets and control characters first.
 */
export function createFluentClient(options: FluentClientOptions): FluentClient {
  const base = new URL(options.apiHost);
  const origin = base.origin;
  const basePath = base.pathname.replace(/\/+$/, '');
  const timeoutMs = options.requestTimeoutMs ?? 30_000;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 8);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? ((ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms)));
  const policy: RetryDelayPolicy = {
    baseBackoffMs: options.baseBackoffMs ?? 250,
    maxBackoffMs: options.maxBackoffMs ?? 15_000,
    maxRetryAfterMs: options.maxRetryAfterMs ?? 60_000,
    now,
    random: options.random ?? Math.random,
  };
  const stats = { graphql: 0, retries: 0, rateLimited: 0, tokenGrants: 0 };
  const scrubber = options.scrubber ?? createScrubber();
  for (const value of secretValues(options.credentials)) {
    scrubber.add(value);
    // The grant's form body carries them URL-encoded: a server echoing the body must not leak them either.
    scrubber.add(new URLSearchParams({ v: value }).toString().slice(2));
  }
  /** For any text Fluent sends back that may reach a message: no secret, no control character. */
  const clean = (text: string) => escapeControl(scrubber.scrub(text));

  const pool = new Pool(origin, {
    connections: options.connections ?? null,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    connect: { timeout: timeoutMs },
  });
  const adaptive = createAdaptiveRate({ max: options.ratePerSecond, now });
  const limiter = createRateLimiter({ ratePerSecond: adaptive.current(), now, sleep });
  /** Tells the adaptive rate how a request sent at `sentAt` was answered, and the limiter the rate that follows. */
  const learnRate = (sentAt: number, refused: boolean) => {
    if (refused) adaptive.refused(sentAt);
    else adaptive.accepted(limiter.saturated());
    limiter.setRate(adaptive.current());
  };

  /** Runs attempts until one is done, backing off between transient failures. */
  const withRetries = async <T>(attempt: () => Promise<AttemptResult<T>>, countsAsGraphql: boolean): Promise<T> => {
    let failures = 0;
    for (;;) {
      const result = await attempt();
      if ('done' in result) return result.done;
      if ('again' in result) {
        if (countsAsGraphql) stats.retries += 1;
        options.onRetry?.({ attempt: failures, status: 401, error: 'HTTP 401', delayMs: 0 });
        continue;
      }
      failures += 1;
      if (failures >= maxAttempts) throw new OmsUnreachableError(origin, result.transient, failures);
      if (countsAsGraphql) stats.retries += 1;
      const delayMs = computeRetryDelay(failures, result.retryAfter, policy);
      options.onRetry?.({ attempt: failures, status: result.status, error: result.transient, delayMs });
      await sleep(delayMs);
    }
  };

  const accountHeader: Record<string, string> = options.accountId ? { 'fluent.account': options.accountId } : {};

  /** One POST to /oauth/token. */
  const grantAttempt = async (form: Record<string, string>): Promise<AttemptResult<GrantAnswer>> => {
    let status: number;
    let retryAfter: string | undefined;
    let text: string;
    try {
      const response = await pool.request({
        path: `${basePath}/oauth/token`,
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          accept: 'application/json',
          ...accountHeader,
        },
        body: new URLSearchParams(form).toString(),
      });
      status = response.statusCode;
      retryAfter = headerValue(response.headers['retry-after']);
      text = await response.body.text();
    } catch (error) {
      return { transient: `/oauth/token: ${describeTransportError(error).message}` };
    }
    if (status === 429 || status === 408 || status >= 500) {
      return { transient: `HTTP ${status} from /oauth/token`, status, retryAfter };
    }
    if (status === 400 || status === 401 || status === 403) return { done: { status, body: parseJson(text) } };
    if (status === 404 || status === 405) throw new NotFluentHostError(`${origin}${basePath}`, '/oauth/token', status);
    if (status >= 200 && status < 300) {
      const body = parseJson(text);
      if (body === undefined) return { transient: 'unreadable answer from /oauth/token', status };
      return { done: { status, body } };
    }
    throw new OmsUnreachableError(origin, `HTTP ${status} from /oauth/token; is the API host right?`, 1);
  };

  /** A password grant is retried like any request; a refresh grant is sent once, its token being single-use. */
  const requestGrant = async (form: Record<string, string>, retry: boolean): Promise<GrantAnswer> => {
    if (retry) return withRetries(() => grantAttempt(form), false);
    try {
      const result = await grantAttempt(form);
      if ('done' in result) return result.done;
      return { lost: 'transient' in result ? result.transient : 'no answer' };
    } catch (error) {
      if (error instanceof OmsUnreachableError) return { lost: error.message };
      throw error;
    }
  };

  const tokens = createTokenSource({
    credentials: options.credentials,
    requestGrant,
    now,
    onSecret: scrubber.add,
    clean,
    onGrant: () => {
      stats.tokenGrants += 1;
    },
  });

  const baseHeaders: Record<string, string> = {
    'content-type': 'application/json',
    accept: 'application/json',
    ...accountHeader,
  };

  /**
   * Sends one GraphQL operation and returns its `data`; for a batch, `readAnswer` reads an answer whose aliases
   * differ (some applied, some refused) before the errors of the whole request are acted on.
   */
  const execute = <T = Record<string, unknown>>(
    operationName: string,
    query: string,
    variables: object,
    kind: OperationKind,
    readAnswer?: (answer: unknown) => { value: T; rateLimited: number } | undefined,
  ) => {
    const body = JSON.stringify({ query, variables, operationName });
    // The generation of the token Fluent last answered 401 to, for this request.
    let unauthorizedOn: number | undefined;

    return withRetries<T>(async () => {
      // Rate first, token second: a token is never left to age in the limiter's queue.
      const sentAt = await limiter.take();
      // Whether Fluent refused this attempt for the rate; undefined while there is no answer to learn from.
      let refused: boolean | undefined;
      try {
        return await attempt((verdict) => {
          refused = verdict;
        });
      } finally {
        if (refused !== undefined) learnRate(sentAt, refused);
      }
    }, true);

    async function attempt(answeredFor: (refused: boolean) => void): Promise<AttemptResult<T>> {
      const token: AccessToken = await tokens.current();
      stats.graphql += 1;
      let status: number;
      let retryAfter: string | undefined;
      let text: string;
      let answered = false;
      try {
        const response = await pool.request({
          path: `${basePath}/graphql`,
          method: 'POST',
          headers: { ...baseHeaders, authorization: `Bearer ${token.value}` },
          body,
        });
        answered = true;
        status = response.statusCode;
        retryAfter = headerValue(response.headers['retry-after']);
        text = await response.body.text();
      } catch (error) {
        const failure = describeTransportError(error);
        if (kind !== 'query' && (answered || failure.sent)) {
          throw new AmbiguousMutationError(operationName, failure.message);
        }
        return { transient: failure.message };
      }
      answeredFor(status === 429);

      if (status === 401 || status === 403) {
        // Fluent answers 401 for a bad token and for a missing permission alike; the body tells them apart.
        const refusal = readFluentErrors(parseJson(text) ?? plainText(text), clean);
        if (status === 403 || refusal?.deniesPermission) {
          throw new PermissionDeniedError(
            operationName,
            refusal?.permission ?? OPERATION_PERMISSIONS[operationName],
            refusal ? `HTTP ${status}: ${refusal.text}` : `HTTP ${status}`,
          );
        }
        if (unauthorizedOn !== undefined && token.generation > unauthorizedOn) {
          throw new CredentialsRefusedError(tokens.variables, `HTTP 401 to ${operationName}`, true);
        }
        unauthorizedOn = token.generation;
        await tokens.renew(token);
        return { again: true };
      }
      if (status === 429) {
        stats.rateLimited += 1;
        return { transient: 'HTTP 429', status, retryAfter };
      }
      // 408: the server gave up before reading the whole request, so nothing was applied.
      if (status === 408) return { transient: 'HTTP 408', status };
      if (status === 413) throw new FluentDataError('request too large for Fluent (HTTP 413)');
      if (status >= 500) {
        if (kind !== 'query') throw new AmbiguousMutationError(operationName, `HTTP ${status}`);
        return { transient: `HTTP ${status}`, status, retryAfter };
      }
      if (status === 404 || status === 405) throw new NotFluentHostError(`${origin}${basePath}`, '/graphql', status);

      const answer = parseJson(text) as { data?: unknown; errors?: unknown } | undefined;
      const read = readAnswer?.(answer);
      if (read) {
        stats.rateLimited += read.rateLimited;
        if (read.rateLimited > 0) answeredFor(true);
        return { done: read.value };
      }
      // Fluent reports GraphQL errors with HTTP 200 as often as with 400: errors[] and their codes decide.
      const errors = readFluentErrors(answer, clean);
      if (errors?.kind === 'permission') {
        throw new PermissionDeniedError(
          operationName,
          errors.permission ?? OPERATION_PERMISSIONS[operationName],
          errors.text,
        );
      }
      if (errors?.kind === 'transient' && errors.code) {
        if (errors.code === 'C0011E') {
          stats.rateLimited += 1;
          answeredFor(true);
        }
        return { transient: `${errors.code} ${TRANSIENT_WORDS[errors.code] ?? 'retry later'}`, status, retryAfter };
      }
      if (errors?.kind === 'server' && errors.code) {
        // A server failure after a mutation arrived may have come after it was applied.
        if (kind !== 'query') throw new AmbiguousMutationError(operationName, `Fluent ${errors.code}`);
        return { transient: `Fluent ${errors.code}`, status, retryAfter };
      }
      if (errors) throw new FluentDataError(errors.text, errors.code);
      if (status >= 300) throw new FluentDataError(`Fluent answered HTTP ${status} to ${operationName}`);
      if (typeof answer?.data !== 'object' || answer.data === null) {
        if (kind !== 'query') throw new AmbiguousMutationError(operationName, 'unreadable response body');
        return { transient: 'unreadable response body', status };
      }
      return { done: answer.data as T };
    }
  };

  const mutateCustomer = async (
    operationName: string,
    query: string,
    field: string,
    input: CreateCustomerInput | UpdateCustomerInput,
  ): Promise<OmsCustomer> => {
    const data = await execute(operationName, query, { input }, 'mutation');
    const node = data[field];
    if (typeof node !== 'object' || node === null) throw new FluentDataError(`${field} returned no customer`);
    return toOmsCustomer(node as CustomerNode);
  };

  const mutateBatch = async (mutations: readonly BatchMutation[]): Promise<BatchAnswer> => {
    // Creates first, as the document puts them; `order[i]` is the mutation alias i stands for.
    const order = [
      ...mutations.flatMap((m, i) => (m.kind === 'create' ? [i] : [])),
      ...mutations.flatMap((m, i) => (m.kind === 'update' ? [i] : [])),
    ];
    const creates = mutations.filter((m) => m.kind === 'create').length;
    const { query, aliases } = batchMutation({ creates, updates: mutations.length - creates });
    const variables = Object.fromEntries(aliases.map((alias, i) => [alias, mutations[order[i] as number]?.input]));
    const reading = await execute<BatchReading>('CustomerBatch', query, variables, 'batch', (answer) => {
      const read = readBatchAnswer(answer, aliases, clean);
      return read && { value: read, rateLimited: read.rateLimited };
    });
    const results: BatchResult[] = new Array(mutations.length);
    reading.results.forEach((result, i) => {
      const at = order[i] as number;
      results[at] =
        result.kind === 'done' ? { kind: 'done', customer: toOmsCustomer(result.node as CustomerNode) } : result;
    });
    return { results, denied: reading.denied };
  };

  /**
   * Runs a question about the account, turning "Fluent will not or cannot answer" into `ok: false`: a missing
   * permission, or a data error such as a schema without the field asked for.
   */
  const askAccount = async <T>(what: string, ask: () => Promise<AccountAnswer<T>>): Promise<AccountAnswer<T>> => {
    try {
      return await ask();
    } catch (error) {
      if (error instanceof PermissionDeniedError) {
        return { ok: false, reason: `the login may not ${what} (${error.detail})` };
      }
      if (error instanceof FluentDataError) return { ok: false, reason: `Fluent cannot ${what}: ${error.message}` };
      throw error;
    }
  };

  let closing: Promise<void> | undefined;

  return {
    findCustomers: async (usernames) => {
      const wanted = [...new Set(usernames)];
      if (wanted.length === 0) return [];
      // Never rely on the default page of 10: a username can exist once per retailer.
      const first = Math.min(MAX_PAGE_SIZE, Math.max(100, wanted.length * 2));
      const found: OmsCustomer[] = [];
      const cursorsSeen = new Set<string>();
      let after: string | undefined;
      for (;;) {
        const data = await execute('FindCustomers', FIND_CUSTOMERS, { usernames: wanted, first, after }, 'query');
        const connection = data.customers as CustomerConnection | null | undefined;
        const edges = connection?.edges ?? [];
        for (const edge of edges) if (edge?.node) found.push(toOmsCustomer(edge.node));
        if (!connection?.pageInfo?.hasNextPage) return found;
        const cursor = edges.at(-1)?.cursor;
        // A page that does not move on would loop forever and leave matches unseen; say so instead.
        if (!cursor || cursorsSeen.has(cursor)) {
          throw new FluentDataError('Fluent said more customers follow but gave no new cursor to page with');
        }
        cursorsSeen.add(cursor);
        after = cursor;
      }
    },
    createCustomer: (input) => mutateCustomer('CreateCustomer', CREATE_CUSTOMER, 'createCustomer', input),
    updateCustomer: (input) => mutateCustomer('UpdateCustomer', UPDATE_CUSTOMER, 'updateCustomer', input),
    mutateBatch,
    probeAliases: () =>
      askAccount<object>('answer aliased lookups', async () => {
        // Names no customer has, so the answer must be two empty lookups, each under its own alias.
        const probe = () => `customer-sync-probe-${policy.random().toString(36).slice(2, 10)}`;
        const data = await execute(
          'ProbeAliases',
          PROBE_ALIASES,
          { first: [probe()], second: [probe()], size: 1 },
          'query',
        );
        const answered = ['a0', 'a1'].filter((alias) => {
          const connection = data[alias] as CustomerConnection | null | undefined;
          return typeof connection === 'object' && connection !== null && Array.isArray(connection.edges);
        });
        if (answered.length < 2) {
          return { ok: false, reason: 'Fluent did not answer each aliased lookup under its own alias' };
        }
        return { ok: true };
      }),
    listCustomers: async ({ first, after }) => {
      const data = await execute('ListCustomers', LIST_CUSTOMERS, { first, after }, 'query');
      const connection = data.customers as CustomerConnection | null | undefined;
      const edges = connection?.edges ?? [];
      const customers: ListedCustomer[] = [];
      for (const edge of edges) {
        if (!edge?.node) continue;
        const { id, username, primaryEmail, retailerId } = toOmsCustomer(edge.node);
        customers.push({ id, username, primaryEmail, retailerId });
      }
      if (!connection?.pageInfo?.hasNextPage) return { customers, next: undefined };
      const cursor = edges.at(-1)?.cursor;
      // A page that does not move on would list the same customers forever; say so instead.
      if (!cursor || cursor === after) {
        throw new FluentDataError('Fluent said more customers follow but gave no new cursor to page with');
      }
      return { customers, next: cursor };
    },
    authenticate: async () => {
      await tokens.current();
    },
    grantDetails: () => tokens.details(),
    readLogin: () =>
      askAccount<{ login: LoginInfo }>('read who the login is', async () => {
        const data = await execute('ReadLogin', READ_LOGIN, {}, 'query');
        const me = data.me as UserNode | null | undefined;
        if (typeof me !== 'object' || me === null) {
          return { ok: false, reason: 'Fluent answered no login for this token (me is null)' };
        }
        return { ok: true, login: toLoginInfo(me) };
      }),
    findRetailer: (id) =>
      askAccount<{ retailer: RetailerInfo | null }>(`look retailer ${clean(id)} up`, async () => {
        try {
          const data = await execute('FindRetailer', FIND_RETAILER, { id }, 'query');
          const node = data.retailerById as RetailerNode | null | undefined;
          return { ok: true, retailer: typeof node === 'object' && node !== null ? toRetailerInfo(node) : null };
        } catch (error) {
          // Some Fluent queries answer "not found" as an error rather than null.
          if (error instanceof FluentDataError && error.code === 'C0120E') return { ok: true, retailer: null };
          throw error;
        }
      }),
    listRetailers: () =>
      askAccount<{ retailers: RetailerInfo[]; truncated: boolean }>('list the retailers', async () => {
        const retailers: RetailerInfo[] = [];
        const cursorsSeen = new Set<string>();
        let after: string | undefined;
        for (;;) {
          const data = await execute('ListRetailers', LIST_RETAILERS, { first: RETAILER_PAGE_SIZE, after }, 'query');
          const connection = data.retailers as RetailerConnection | null | undefined;
          const edges = connection?.edges ?? [];
          for (const edge of edges) if (edge?.node) retailers.push(toRetailerInfo(edge.node));
          if (!connection?.pageInfo?.hasNextPage) return { ok: true, retailers, truncated: false };
          if (retailers.length >= MAX_RETAILERS) {
            return { ok: true, retailers: retailers.slice(0, MAX_RETAILERS), truncated: true };
          }
          const cursor = edges.at(-1)?.cursor;
          if (!cursor || cursorsSeen.has(cursor)) {
            return { ok: false, reason: 'Fluent said more retailers follow but gave no new cursor to page with' };
          }
          cursorsSeen.add(cursor);
          after = cursor;
        }
      }),
    stats: () => ({ ...stats, allowedRate: adaptive.current() }),
    close: () => {
      closing ??= pool.close();
      return closing;
    },
  };
}

interface CustomerNode {
  id?: unknown;
  ref?: unknown;
  username?: unknown;
  title?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  primaryEmail?: unknown;
  primaryPhone?: unknown;
  timezone?: unknown;
  promotionOptIn?: unknown;
  department?: unknown;
  country?: unknown;
  status?: unknown;
  retailer?: { id?: unknown } | null;
  attributes?: Array<{ name?: unknown; type?: unknown; value?: unknown } | null> | null;
}

interface RetailerConnection {
  edges?: Array<{ cursor?: string | null; node?: RetailerNode | null } | null> | null;
  pageInfo?: { hasNextPage?: boolean | null } | null;
}

interface CustomerConnection {
  edges?: Array<{ cursor?: string | null; node?: CustomerNode | null } | null> | null;
  pageInfo?: { hasNextPage?: boolean | null } | null;
}

function toOmsCustomer(node: CustomerNode): OmsCustomer {
  return {
    id: String(node.id ?? ''),
    ref: text(node.ref),
    username: String(node.username ?? ''),
    title: text(node.title),
    firstName: text(node.firstName),
    lastName: text(node.lastName),
    primaryEmail: text(node.primaryEmail),
    primaryPhone: text(node.primaryPhone),
    timezone: text(node.timezone),
    promotionOptIn: typeof node.promotionOptIn === 'boolean' ? node.promotionOptIn : null,
    department: text(node.department),
    country: text(node.country),
    status: text(node.status),
    retailerId: node.retailer?.id === undefined || node.retailer.id === null ? null : String(node.retailer.id),
    attributes: toAttributes(node.attributes),
  };
}

/** The OMS's attributes as they are (an update sends them back), without null entries or ones with no name. */
function toAttributes(list: CustomerNode['attributes']): OmsAttribute[] | null {
  if (!Array.isArray(list)) return null;
  return list.flatMap((attribute) =>
    attribute && typeof attribute.name === 'string'
      ? [{ name: attribute.name, type: String(attribute.type ?? ''), value: attribute.value ?? null }]
      : [],
  );
}

function text(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}

function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A 401/403 body that is not JSON, read as a message unless it is an HTML error page. */
function plainText(text: string): { message: string } | undefined {
  const trimmed = text.trim();
  return trimmed === '' || trimmed.startsWith('<') ? undefined : { message: trimmed };
}
