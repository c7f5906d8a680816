/** Types of the sandbox's customer store: what it holds, what the GraphQL layer asks of it and how it answers. */
import type { CustomerField, UPDATABLE_FIELDS } from '../types.js';
import type { FluentErrorCode } from './fluentError.js';
import type { SandboxCustomer, SandboxSettings } from './sandboxTypes.js';
import type { Page, PageRequest } from './slicePage.js';

/** One customer attribute as Fluent stores it (`value` is any JSON). */
export interface SandboxAttribute {
  name: string;
  type: string;
  value: unknown;
}

/** A customer in the store: the public shape plus what only the GraphQL layer needs. */
export interface StoredCustomer extends SandboxCustomer {
  /** The id as a number, for ordering and cursors. */
  idNumber: number;
  attributes: SandboxAttribute[] | null;
}

export interface SandboxRetailer {
  id: string;
  /** Its place in the account's list of retailers, for ordering and cursors. */
  position: number;
  ref: string;
  status: string;
  tradingName: string;
  primaryEmail: string | null;
  createdOn: string;
  updatedOn: string;
}

/** Text fields an update may set (Fluent's UpdateCustomerInput less the boolean), each nullable in the schema. */
export type TextField = Exclude<(typeof UPDATABLE_FIELDS)[number], 'promotionOptIn'>;

export interface CreateCustomerArgs {
  username: string;
  primaryEmail: string;
  promotionOptIn: boolean;
  retailer: { id: string };
  title?: string | null;
  firstName?: string | null;
  lastName?: string | null;
  primaryPhone?: string | null;
  timezone?: string | null;
  department?: string | null;
  country?: string | null;
  attributes?: (SandboxAttribute | null)[] | null;
}

/**
 * A present key sets the field and an absent key leaves it alone; what a null does is the account's choice
 * (SandboxSettings.nullUpdates).
 */
export type UpdateCustomerArgs = { username: string } & { [field in TextField]?: string | null } & {
  promotionOptIn?: boolean | null;
  attributes?: (SandboxAttribute | null)[] | null;
};

/** A list filter of the `customers` query: the values the column may hold, null for "no value". */
type ListFilter<T> = (T | null)[] | null;
type DateRange = { from?: string | null; to?: string | null } | null;

/**
 * Filters of the `customers` query (Fluent's schema: `ref`, `status`, the two dates and every customer field): within a
 * list values are OR-ed, different filters AND-ed.
 */
export type CustomerFilter = {
  [Field in Exclude<CustomerField, 'promotionOptIn'> | 'ref' | 'status']?: ListFilter<string>;
} & { promotionOptIn?: ListFilter<boolean>; createdOn?: DateRange; updatedOn?: DateRange };

/** Filters of the `retailers` query: within a list values are OR-ed, different filters AND-ed. */
export interface RetailerFilter {
  status?: (string | null)[] | null;
  ref?: (string | null)[] | null;
}

/**
 * Failures are values with Fluent's code and a message (without the code); the GraphQL layer turns them into
 * `errors[]`.
 */
export type StoreResult<T> = { ok: true; value: T } | StoreFailure;

export interface StoreFailure {
  ok: false;
  code: FluentErrorCode;
  message: string;
}

/**
 * The retailers the login reaches, or undefined for the whole account. Reads outside it see nothing and
 * writes outside it are refused (C0020E), as for a login whose customer role holds only retailer contexts.
 */
export type Reach = ReadonlySet<string> | undefined;

/** The store's part of the account's settings. */
export type StoreSettings = Pick<
  SandboxSettings,
  'retailers' | 'lookupMatch' | 'uniqueCi' | 'attributeUpdates' | 'nullUpdates' | 'storedValues'
>;

export interface SandboxStore {
  createCustomer(args: CreateCustomerArgs, reach: Reach): StoreResult<StoredCustomer>;
  updateCustomer(args: UpdateCustomerArgs, reach: Reach): StoreResult<StoredCustomer>;
  /** A ref can repeat across retailers; the lowest id wins. */
  findByRef(ref: string, reach: Reach): StoredCustomer | undefined;
  findById(id: string, reach: Reach): StoredCustomer | undefined;
  /** Customers by id; `page.after`/`page.before` are ids. */
  findCustomers(filter: CustomerFilter, page: PageRequest, reach: Reach): StoreResult<Page<StoredCustomer>>;
  /** A declared retailer, or undefined. */
  retailer(id: string): SandboxRetailer | undefined;
  /** Declared retailers in the account's order, optionally filtered; `page.after`/`page.before` are positions. */
  findRetailers(filter: RetailerFilter, page: PageRequest, reach: Reach): StoreResult<Page<SandboxRetailer>>;
  /** Every customer, ordered by id. */
  snapshot(): SandboxCustomer[];
  counts(): { creates: number; updates: number };
  /** Frees the store's database; the store answers nothing after. */
  close(): void;
}
