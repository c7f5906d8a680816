/**
 * Types of the local Fluent-compatible OMS (SPEC §6). `startSandbox.ts` re-exports them; the other sandbox
 * modules import them from here so no module has to import the HTTP layer.
 */
import type { Customer, OmsCustomer } from '../types.js';
import type { SandboxVariants } from './sandboxVariants.js';

/**
 * Fault injection. Rates are shares 0..1 decided with a seeded PRNG, drawn in a fixed order for every GraphQL
 * request, so the same request sequence meets the same faults.
 */
export interface SandboxFaults {
  /** Added before every response (oauth and graphql). */
  latencyMs?: number;
  /** GraphQL requests above this per second → 429 with Retry-After (counted as SandboxVariants.rateLimitShape says). */
  rateLimitPerSecond?: number;
  /** Value of Retry-After on 429s (default 1). */
  retryAfterSeconds?: number;
  /** Share of GraphQL requests answered 429 + Retry-After (never applied). */
  random429Rate?: number;
  /** Share answered 500/502/503/504 before executing (not applied). */
  random5xxRate?: number;
  /** Share of mutations executed, then answered 502/503 anyway (applied!). */
  random5xxAfterCommitRate?: number;
  /** Share of mutations refused with a GraphQL error, as a Fluent data rule would (not applied; permanent). */
  refuseMutationRate?: number;
  /**
   * A data rule: every create or update whose username matches this regular expression is refused with C0160E, for
   * that mutation alone (not applied; permanent). In a batch of aliased mutations only its alias fails and the others
   * are applied, as Fluent answers each alias on its own.
   */
  refuseUsernamePattern?: string;
  /** Share of mutations executed, then the socket destroyed with no response (applied!). */
  cutAfterCommitRate?: number;
  /** expires_in of granted tokens (default 3600); expired tokens → 401. */
  tokenLifetimeSeconds?: number;
  /** Include refresh_token in grants and accept grant_type=refresh_token. */
  issueRefreshTokens?: boolean;
  /** PRNG seed so faults are repeatable; default 1. */
  seed?: number;
}

/** The only credentials the sandbox accepts, when given (else any non-empty values are accepted). */
export interface SandboxCredentials {
  clientId: string;
  clientSecret: string;
  username: string;
  password: string;
}

/** A customer to load at start: Customer fields plus the retailer it belongs to. */
export interface SeedCustomer extends Customer {
  retailerId: string;
  /** Digits only; the next created customer gets a higher id. */
  id?: string;
  /** Defaults to the username, as Fluent sets it. */
  ref?: string;
  /** Defaults to ACTIVE. */
  status?: string;
}

/** A customer as the sandbox holds it: what a lookup returns, where the sandbox always knows ref, status and retailer. */
export interface SandboxCustomer extends Omit<OmsCustomer, 'ref' | 'status' | 'retailerId'> {
  ref: string;
  status: string;
  retailerId: string;
  createdOn: string;
  updatedOn: string;
}

/** What the sandbox saw and did, for tests and for people poking at it. */
export interface SandboxStats {
  /** Every HTTP request, whatever the path. */
  requests: number;
  /** Successful grant_type=password grants. */
  tokenGrants: number;
  /** Successful grant_type=refresh_token grants. */
  refreshGrants: number;
  /** POST /graphql requests, whatever their fate. */
  graphql: number;
  /** Query operations executed. */
  queries: number;
  /** Applied creates + updates. */
  mutations: number;
  creates: number;
  updates: number;
  /** 401s, from /oauth/token and /graphql. */
  unauthorized: number;
  /** Every rate-limit refusal, from the rate limit and random ones: 429s, or C0011E errors with rateLimitAsError. */
  rateLimited: number;
  /** All 5xx answers, before or after commit. */
  serverErrors: number;
  cutConnections: number;
  refusedMutations: number;
  /** 413s. */
  tooLarge: number;
  /**
   * The `fluent.account` header the last /oauth/token and the last /graphql request carried (null: none), so a
   * client test can see that it is sent on both (SPEC §1).
   */
  accountHeader: { oauth: string | null; graphql: string | null };
}

/** Permissions the sandbox's login can hold; each protects some operations (SandboxOptions.missingPermissions). */
export const SANDBOX_PERMISSIONS = [
  'CUSTOMER_VIEW',
  'CUSTOMER_CREATE',
  'CUSTOMER_UPDATE',
  'RETAILER_VIEW',
  'USER_VIEW',
] as const;

export type SandboxPermission = (typeof SANDBOX_PERMISSIONS)[number];

/** Where the login's customer role holds: the whole account, or one retailer only. */
export type SandboxLoginScope = { kind: 'account' } | { kind: 'retailer'; retailerId: string };

/**
 * How `customers(username:)` and `customers(ref:)` match: exactly, without regard to case, or like SQL LIKE
 * (case-insensitive, `%` any run of characters, `_` any one character). Fluent documents none of them.
 */
export type SandboxLookupMatch = 'exact' | 'ci' | 'like';

/**
 * What updateCustomer does with `attributes` (Fluent documents neither): replace the customer's list with the one
 * sent (an attribute left out is gone), or merge it in by name (an attribute left out stays).
 */
export type SandboxAttributeUpdates = 'replace' | 'merge';

/** What updateCustomer does with a field sent as null (Fluent documents neither): clear it, or leave it as it is. */
export type SandboxNullUpdates = 'clear' | 'ignore';

/**
 * Values an account keeps otherwise than sent (Fluent's docs do not say it stores each value as given): for the
 * client's verified writes (alterStoredValues.ts).
 */
export interface SandboxStoredValues {
  /** primaryPhone kept in international format with spaces (`+61 412 345 678`). */
  reformatPhone?: boolean;
  /** title, firstName and lastName kept cut to this many characters. */
  truncateNames?: number;
}

/** How strict the account is: every SandboxOptions setting with its default filled in. */
export interface SandboxSettings {
  /** Declared retailers, ascending; every other retailer id is unknown. */
  retailers: string[];
  loginScope: SandboxLoginScope;
  missingPermissions: SandboxPermission[];
  lookupMatch: SandboxLookupMatch;
  uniqueCi: boolean;
  rateLimitAsError: boolean;
  // The variants Fluent's docs leave open, and the account the sandbox stands for.
  attributeUpdates: SandboxAttributeUpdates;
  nullUpdates: SandboxNullUpdates;
  /** What created and updated customers keep otherwise than sent; absent: every value as sent. */
  storedValues?: SandboxStoredValues;
  /** The `fluent.account` header value every token and GraphQL request must carry, or null for none. */
  account: string | null;
}

/** How the sandbox behaves; the variants Fluent's docs leave open are in SandboxVariants (sandboxVariants.ts). */
export interface SandboxOptions extends SandboxVariants {
  /** 0 = any free port (default). */
  port?: number;
  seed?: SeedCustomer[];
  credentials?: SandboxCredentials;
  faults?: SandboxFaults;
  /** Clock for token expiry, the rate window and createdOn/updatedOn; default Date.now. */
  now?: () => number;
  /** Retailers that exist (default 1, 2 and 3), plus every retailer of the seed. Others are not found (C0120E). */
  retailers?: string[];
  /**
   * Default account: the login's customer role holds an account context. A retailer scope holds a retailer
   * context for that retailer only: the login sees and writes only its customers, and only it among retailers.
   */
  loginScope?: SandboxLoginScope;
  /** Permissions the login lacks: they are absent from `me`, and the operations needing them fail with C0020E. */
  missingPermissions?: string[];
  /** Default exact. */
  lookupMatch?: SandboxLookupMatch;
  /** createCustomer refuses a case variant of a username of the same retailer as already existing (C0123E). */
  uniqueCi?: boolean;
  /** Answer a rate-limit refusal with HTTP 200 and a C0011E error instead of 429, as Fluent's SDK documents. */
  rateLimitAsError?: boolean;
  // The variants Fluent's docs leave open, and the account the sandbox stands for.
  /** Default replace. */
  attributeUpdates?: SandboxAttributeUpdates;
  /** Default clear. */
  nullUpdates?: SandboxNullUpdates;
  /** Default: every value kept as sent. */
  storedValues?: SandboxStoredValues;
  /**
   * Requests without this `fluent.account` header value (or with another) are refused with 401, on /oauth/token and
   * /graphql alike; it is also the account id of the login's account-wide roles. Default: no header needed.
   */
  account?: string;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT */
  url: string;
  port: number;
  /** A snapshot, ordered by id. */
  customers(): SandboxCustomer[];
  stats(): SandboxStats;
  /** The account's settings, defaults filled in. */
  settings(): SandboxSettings;
  /** Replaces the fault settings and restarts the PRNG from their seed. */
  setFaults(faults: SandboxFaults): void;
  close(): Promise<void>;
}
