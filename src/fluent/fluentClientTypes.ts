/**
 * The Fluent client's public shape: what the rest of the tool calls and reads. `createFluentClient` assembles it from
 * the transport, the answer classifier, the paginator, the customer API, the account API and auth.
 */
import type { Scrubber } from '../shared/createScrubber.js';
import type { CreateCustomerInput, OmsCustomer, UpdateCustomerInput } from '../types.js';
import type { RateLearnt } from './createAdaptiveRate.js';
import type { GrantDetails } from './createTokenSource.js';
import type { Credentials } from './credentials.js';
import type { FluentDataError, PermissionDeniedError } from './errors.js';
import type { Listing } from './paginate.js';
import type { LoginInfo } from './toLoginInfo.js';
import type { RetailerInfo } from './toRetailerInfo.js';

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

/**
 * The answer of a question about the account (who the login is, which retailers exist). `ok: false` when Fluent
 * will not or cannot answer it (a missing permission, a schema without the field): a preflight reports that as a
 * finding rather than stopping. Unreachable hosts and refused credentials still throw.
 */
export type AccountAnswer<T> = ({ ok: true } & T) | { ok: false; reason: string };

export interface FluentClient {
  /**
   * Every customer, of any retailer, whose username is one of `usernames` (exact match, as Fluent offers). A lookup
   * Fluent refuses as too complex (C0001E), or whose pages cannot be followed to their end, is asked again in halves.
   */
  findCustomers(usernames: readonly string[]): Promise<OmsCustomer[]>;
  createCustomer(input: CreateCustomerInput): Promise<OmsCustomer>;
  updateCustomer(input: UpdateCustomerInput): Promise<OmsCustomer>;
  /**
   * Sends creates and updates aliased in one request (`--batch N`), each alias's data or error mapped back to its
   * mutation. Throws AmbiguousMutationError when the whole answer is lost (a 5xx, a timeout, a cut connection: any of
   * them may have been applied), FluentDataError when Fluent refuses the request as a whole (nothing was applied), and
   * the run-stopping errors as every request does. A rate limit on the whole request is retried like a 429; a batch
   * refused as too complex (C0001E) is sent again in halves.
   */
  mutateBatch(mutations: readonly BatchMutation[]): Promise<BatchAnswer>;
  /**
   * Asks two username lookups aliased in one request, writing nothing: whether Fluent answers aliased fields one by
   * one, as `--batch` needs. `ok: false` with Fluent's reason when it refuses or mixes them up.
   */
  probeAliases(): Promise<AccountAnswer<object>>;
  /**
   * Every customer of the account, of any retailer (Fluent's `customers` has no retailer filter), `pageSize` at a time
   * (halved while Fluent says C0001E), each once however often Fluent repeats it across pages. Resolves with
   * `complete: false` and why when Fluent's pages cannot be followed to their end; `onPage` may throw to stop.
   */
  listCustomers(options: { pageSize: number; onPage: (customers: ListedCustomer[]) => void }): Promise<Listing>;
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
  /** What the adaptive rate has learnt of Fluent's rate limit so far (`doctor --probe-rate` reads it). */
  rateLearnt(): RateLearnt;
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
  /** Attempts per request before giving up on transient failures other than the rate; default 8. */
  maxAttempts?: number;
  /** Cap on a Retry-After; default 60 000. */
  maxRetryAfterMs?: number;
  /** First back-off ceiling; default 250. */
  baseBackoffMs?: number;
  /** Back-off ceiling; default 15 000. */
  maxBackoffMs?: number;
  /** First wait after a refusal for the rate without Retry-After (it doubles each time); default 1 000. */
  rateBackoffMs?: number;
  /** The longest wait after a refusal for the rate without Retry-After; default 60 000, as Fluent's SDK waits. */
  maxRateBackoffMs?: number;
  /** How long one request may go on being refused for the rate before the run gives up; default 600 000. */
  rateBudgetMs?: number;
  /** Max open connections; default unbounded (the caller's concurrency bounds it). */
  connections?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  onRetry?: (event: RetryEvent) => void;
}
