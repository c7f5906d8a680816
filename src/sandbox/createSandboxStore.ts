import { FIELD_LIMITS, UPDATABLE_FIELDS } from '../types.js';
import type { FluentErrorCode } from './fluentError.js';
import type { SandboxCustomer, SandboxLookupMatch, SandboxSettings, SeedCustomer } from './sandboxTypes.js';
import { type Page, type PageRequest, slicePage } from './slicePage.js';

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
type TextField = Exclude<(typeof UPDATABLE_FIELDS)[number], 'promotionOptIn'>;

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

/** A present key sets the field (null clears it); an absent key leaves it alone. */
export type UpdateCustomerArgs = { username: string } & { [field in TextField]?: string | null } & {
  promotionOptIn?: boolean | null;
  attributes?: (SandboxAttribute | null)[] | null;
};

/** Filters of the `customers` query: within a list values are OR-ed, different filters AND-ed. */
export interface CustomerFilter {
  ref?: (string | null)[] | null;
  status?: (string | null)[] | null;
  title?: (string | null)[] | null;
  department?: (string | null)[] | null;
  country?: (string | null)[] | null;
  firstName?: (string | null)[] | null;
  lastName?: (string | null)[] | null;
  username?: (string | null)[] | null;
  primaryEmail?: (string | null)[] | null;
  primaryPhone?: (string | null)[] | null;
  timezone?: (string | null)[] | null;
  promotionOptIn?: (boolean | null)[] | null;
  createdOn?: { from?: string | null; to?: string | null } | null;
  updatedOn?: { from?: string | null; to?: string | null } | null;
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
export type StoreSettings = Pick<SandboxSettings, 'retailers' | 'lookupMatch' | 'uniqueCi'>;

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
  snapshot(): SandboxCustomer[];
  counts(): { creates: number; updates: number };
}

/** Filters of the `retailers` query: within a list values are OR-ed, different filters AND-ed. */
export interface RetailerFilter {
  status?: (string | null)[] | null;
  ref?: (string | null)[] | null;
}

const LIST_FILTERS = [
  'ref',
  'status',
  'title',
  'department',
  'country',
  'firstName',
  'lastName',
  'username',
  'primaryEmail',
  'primaryPhone',
  'timezone',
  'promotionOptIn',
] as const;

const UPDATE_FIELDS: readonly TextField[] = UPDATABLE_FIELDS.filter(
  (field): field is TextField => field !== 'promotionOptIn',
);

/**
 * The sandbox's in-memory OMS: customers, the declared retailers, per-retailer username uniqueness (optionally
 * without regard to case) and indexes by username, ref and email so batched lookups stay cheap with many customers.
 *
 * @param seed customers to start with; duplicates (retailer + username, or id) and retailers not declared
 *   throw, since a seed is checked by `loadSeed` and its retailers added by `resolveSandboxSettings` first
 */
export function createSandboxStore(
  seed: readonly SeedCustomer[],
  settings: StoreSettings,
  now: () => number,
): SandboxStore {
  const byId = new Map<string, StoredCustomer>();
  /** Every customer by ascending id: creates take the highest id so appending keeps the order. */
  let ordered: StoredCustomer[] = [];
  const byUsername = new Map<string, StoredCustomer[]>();
  const byRef = new Map<string, StoredCustomer[]>();
  const byEmail = new Map<string, Set<StoredCustomer>>();
  // Case-folded twins of the username and ref indexes, for case-insensitive lookups and uniqueness.
  const byFoldedUsername = new Map<string, StoredCustomer[]>();
  const byFoldedRef = new Map<string, StoredCustomer[]>();
  const byRetailerUsername = new Map<string, StoredCustomer>();
  const byRetailerFoldedUsername = new Map<string, StoredCustomer>();
  let nextId = 1;
  let creates = 0;
  let updates = 0;

  const timestamp = () => new Date(now()).toISOString();
  const retailerKey = (retailerId: string, username: string) => `${retailerId}\u0000${username}`;

  const startedAt = timestamp();
  const retailers = new Map<string, SandboxRetailer>(
    settings.retailers.map((id, position) => [
      id,
      {
        id,
        position,
        ref: `RETAILER_${id}`,
        status: 'ACTIVE',
        tradingName: `Retailer ${id}`,
        primaryEmail: null,
        createdOn: startedAt,
        updatedOn: startedAt,
      },
    ]),
  );
  const retailerList = [...retailers.values()];

  function addToList<K>(index: Map<K, StoredCustomer[]>, key: K, customer: StoredCustomer): void {
    const list = index.get(key);
    if (list) list.push(customer);
    else index.set(key, [customer]);
  }

  function indexEmail(customer: StoredCustomer): void {
    if (customer.primaryEmail === null) return;
    let set = byEmail.get(customer.primaryEmail);
    if (!set) {
      set = new Set();
      byEmail.set(customer.primaryEmail, set);
    }
    set.add(customer);
  }

  function unindexEmail(customer: StoredCustomer): void {
    if (customer.primaryEmail === null) return;
    const set = byEmail.get(customer.primaryEmail);
    set?.delete(customer);
    if (set?.size === 0) byEmail.delete(customer.primaryEmail);
  }

  function insert(customer: StoredCustomer): void {
    byId.set(customer.id, customer);
    addToList(byUsername, customer.username, customer);
    addToList(byRef, customer.ref, customer);
    addToList(byFoldedUsername, foldCase(customer.username), customer);
    addToList(byFoldedRef, foldCase(customer.ref), customer);
    indexEmail(customer);
    byRetailerUsername.set(retailerKey(customer.retailerId, customer.username), customer);
    // A seed may hold case variants (data older than the rule); the first one stands for them all.
    const foldedKey = retailerKey(customer.retailerId, foldCase(customer.username));
    if (!byRetailerFoldedUsername.has(foldedKey)) byRetailerFoldedUsername.set(foldedKey, customer);
    nextId = Math.max(nextId, customer.idNumber + 1);
  }

  for (const [index, entry] of seed.entries()) {
    const id = entry.id ?? String(nextId);
    if (!/^\d+$/.test(id)) throw new Error(`seed entry ${index + 1}: id '${id}' is not a number`);
    if (byId.has(id)) throw new Error(`seed entry ${index + 1}: id ${id} is used twice`);
    if (byRetailerUsername.has(retailerKey(entry.retailerId, entry.username))) {
      throw new Error(`seed entry ${index + 1}: username '${entry.username}' repeats for retailer ${entry.retailerId}`);
    }
    if (!retailers.has(entry.retailerId)) {
      throw new Error(`seed entry ${index + 1}: retailer ${entry.retailerId} is not declared`);
    }
    insert({
      id,
      idNumber: Number(id),
      ref: entry.ref ?? entry.username,
      username: entry.username,
      title: entry.title ?? null,
      firstName: entry.firstName ?? null,
      lastName: entry.lastName ?? null,
      primaryEmail: entry.primaryEmail ?? null,
      primaryPhone: entry.primaryPhone ?? null,
      timezone: entry.timezone ?? null,
      promotionOptIn: entry.promotionOptIn ?? null,
      department: entry.department ?? null,
      country: entry.country ?? null,
      status: entry.status ?? 'ACTIVE',
      retailerId: entry.retailerId,
      createdOn: startedAt,
      updatedOn: startedAt,
      attributes: null,
    });
  }
  ordered = [...byId.values()].sort((a, b) => a.idNumber - b.idNumber);

  function createCustomer(args: CreateCustomerArgs, reach: Reach): StoreResult<StoredCustomer> {
    const retailerId = args.retailer.id;
    if (reach !== undefined && !reach.has(retailerId)) return outsideReach(retailerId, reach);
    if (!retailers.has(retailerId)) return failure('C0120E', `Retailer ${retailerId} not found`);
    if (args.username === '') return failure('C0160E', 'username must not be empty');
    const tooLong = findTooLong(args);
    if (tooLong) return tooLong;
    const taken =
      byRetailerUsername.has(retailerKey(retailerId, args.username)) ||
      (settings.uniqueCi && byRetailerFoldedUsername.has(retailerKey(retailerId, foldCase(args.username))));
    if (taken) {
      return failure('C0123E', `Customer with username '${args.username}' already exists for retailer ${retailerId}`);
    }
    const at = timestamp();
    const id = nextId;
    const customer: StoredCustomer = {
      id: String(id),
      idNumber: id,
      ref: args.username,
      username: args.username,
      title: args.title ?? null,
      firstName: args.firstName ?? null,
      lastName: args.lastName ?? null,
      primaryEmail: args.primaryEmail,
      primaryPhone: args.primaryPhone ?? null,
      timezone: args.timezone ?? null,
      promotionOptIn: args.promotionOptIn,
      department: args.department ?? null,
      country: args.country ?? null,
      status: 'ACTIVE',
      retailerId,
      createdOn: at,
      updatedOn: at,
      attributes: copyAttributes(args.attributes),
    };
    insert(customer);
    ordered.push(customer);
    creates++;
    return { ok: true, value: customer };
  }

  function updateCustomer(args: UpdateCustomerArgs, reach: Reach): StoreResult<StoredCustomer> {
    // updateCustomer names the customer by username only; a username held under several retailers cannot be
    // told apart, unless the login reaches only one of them.
    const matches = byUsername.get(args.username) ?? [];
    const reached = reach === undefined ? matches : matches.filter((match) => reach.has(match.retailerId));
    const customer = reached[0];
    if (!customer) {
      const other = matches[0];
      if (other && reach !== undefined) return outsideReach(other.retailerId, reach);
      return failure('C0120E', `Customer with username '${args.username}' not found`);
    }
    if (reached.length > 1) {
      const held = reached.map((match) => match.retailerId).join(', ');
      return failure(
        'C0160E',
        `Customer with username '${args.username}' is ambiguous: it exists for retailers ${held}`,
      );
    }
    const tooLong = findTooLong(args);
    if (tooLong) return tooLong;
    for (const field of UPDATE_FIELDS) {
      if (!Object.hasOwn(args, field)) continue;
      if (field === 'primaryEmail') unindexEmail(customer);
      customer[field] = args[field] ?? null;
      if (field === 'primaryEmail') indexEmail(customer);
    }
    if (Object.hasOwn(args, 'promotionOptIn')) customer.promotionOptIn = args.promotionOptIn ?? null;
    // The strictest reading of Fluent: the given list replaces the customer's attributes, so an attribute left
    // out is gone. A client that sends the whole list (SPEC §3) loses nothing either way.
    if (Object.hasOwn(args, 'attributes')) customer.attributes = copyAttributes(args.attributes);
    customer.updatedOn = timestamp();
    updates++;
    return { ok: true, value: customer };
  }

  /** Customers whose username (or ref) matches one of `values` under the account's lookup matching. */
  function findByText(field: 'username' | 'ref', values: readonly string[]): StoredCustomer[] {
    const exact = field === 'username' ? byUsername : byRef;
    const folded = field === 'username' ? byFoldedUsername : byFoldedRef;
    if (settings.lookupMatch === 'like') {
      const matches = compileTextMatcher(values, 'like');
      return ordered.filter((customer) => matches(customer[field]));
    }
    const found = new Set<StoredCustomer>();
    for (const value of values) {
      const hits = settings.lookupMatch === 'ci' ? folded.get(foldCase(value)) : exact.get(value);
      for (const hit of hits ?? []) found.add(hit);
    }
    return [...found].sort((a, b) => a.idNumber - b.idNumber);
  }

  function findCustomers(filter: CustomerFilter, page: PageRequest, reach: Reach): StoreResult<Page<StoredCustomer>> {
    const ranges: [field: 'createdOn' | 'updatedOn', from: number, to: number][] = [];
    for (const field of ['createdOn', 'updatedOn'] as const) {
      const range = filter[field];
      if (!range) continue;
      const from = range.from == null ? -Infinity : Date.parse(range.from);
      const to = range.to == null ? Infinity : Date.parse(range.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return failure('C0160E', `${field} must hold ISO 8601 dates`);
      ranges.push([field, from, to]);
    }
    // An empty list filters nothing, like an absent argument.
    const lists = LIST_FILTERS.flatMap((field) => {
      const values = filter[field];
      if (!values || values.length === 0) return [];
      const matches: (value: unknown) => boolean =
        field === 'username' || field === 'ref'
          ? compileTextMatcher(
              values.filter((value): value is string => typeof value === 'string'),
              settings.lookupMatch,
            )
          : (value) => (values as unknown[]).includes(value);
      return [[field, matches] as const];
    });

    let candidates = ordered;
    const indexed = lists.find(([field]) => field === 'username' || field === 'ref' || field === 'primaryEmail');
    if (indexed) {
      const [field] = indexed;
      const values = (filter[field] ?? []).filter((value): value is string => typeof value === 'string');
      if (field === 'primaryEmail') {
        const found = new Set<StoredCustomer>();
        for (const value of values) for (const hit of byEmail.get(value) ?? []) found.add(hit);
        candidates = [...found].sort((a, b) => a.idNumber - b.idNumber);
      } else if (field === 'username' || field === 'ref') {
        candidates = findByText(field, values);
      }
    }
    const matched =
      lists.length === 0 && ranges.length === 0 && reach === undefined
        ? candidates
        : candidates.filter(
            (customer) =>
              (reach === undefined || reach.has(customer.retailerId)) &&
              lists.every(([field, matches]) => matches(customer[field])) &&
              ranges.every(([field, from, to]) => {
                const at = Date.parse(customer[field]);
                return at >= from && at <= to;
              }),
          );
    const sliced = slicePage(matched, (customer) => customer.idNumber, page);
    return sliced.ok ? { ok: true, value: sliced.page } : failure('C0160E', sliced.message);
  }

  function findRetailers(filter: RetailerFilter, page: PageRequest, reach: Reach): StoreResult<Page<SandboxRetailer>> {
    const statuses = filter.status?.length ? new Set<unknown>(filter.status) : undefined;
    const refs = filter.ref?.length ? new Set<unknown>(filter.ref) : undefined;
    const matched = retailerList.filter(
      (retailer) =>
        (reach === undefined || reach.has(retailer.id)) &&
        (statuses === undefined || statuses.has(retailer.status)) &&
        (refs === undefined || refs.has(retailer.ref)),
    );
    const sliced = slicePage(matched, (retailer) => retailer.position, page);
    return sliced.ok ? { ok: true, value: sliced.page } : failure('C0160E', sliced.message);
  }

  const inReach = (customer: StoredCustomer | undefined, reach: Reach) =>
    customer !== undefined && (reach === undefined || reach.has(customer.retailerId)) ? customer : undefined;

  return {
    createCustomer,
    updateCustomer,
    findByRef: (ref, reach) => (byRef.get(ref) ?? []).find((customer) => inReach(customer, reach)),
    findById: (id, reach) => inReach(byId.get(id), reach),
    findCustomers,
    retailer: (id) => retailers.get(id),
    findRetailers,
    snapshot: () => ordered.map(toSandboxCustomer),
    counts: () => ({ creates, updates }),
  };
}

function failure(code: FluentErrorCode, message: string): StoreFailure {
  return { ok: false, code, message };
}

/** A write for a retailer the login's customer role does not reach: Fluent's missing-permission answer. */
function outsideReach(retailerId: string, reach: ReadonlySet<string>): StoreFailure {
  return failure(
    'C0020E',
    `Insufficient permissions: the login's customer role holds retailer ${[...reach].join(', ')} only, not retailer ${retailerId}`,
  );
}

/** Case folding for case-insensitive matching: what a database's case-insensitive collation does, near enough. */
function foldCase(text: string): string {
  return text.toLowerCase();
}

/**
 * A test for a customer's username or ref against the values of a lookup: exactly, without regard to case, or
 * like SQL LIKE (case-insensitive, `%` any run of characters, `_` any one character, no escape character).
 */
function compileTextMatcher(values: readonly string[], mode: SandboxLookupMatch): (text: unknown) => boolean {
  if (mode === 'exact') {
    const set = new Set(values);
    return (text) => typeof text === 'string' && set.has(text);
  }
  if (mode === 'ci') {
    const set = new Set(values.map(foldCase));
    return (text) => typeof text === 'string' && set.has(foldCase(text));
  }
  const patterns = values.map((value) => {
    let source = '';
    for (const char of value) {
      source += char === '%' ? '[\\s\\S]*' : char === '_' ? '[\\s\\S]' : char.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
    }
    return new RegExp(`^${source}$`, 'iu');
  });
  return (text) => typeof text === 'string' && patterns.some((pattern) => pattern.test(text));
}

/**
 * Names every field over Fluent's length limit, or undefined. Lengths count Unicode code points, the lenient
 * reading: a client that counts UTF-16 units (stricter) never sends what this refuses.
 */
function findTooLong(args: CreateCustomerArgs | UpdateCustomerArgs): StoreFailure | undefined {
  const problems: string[] = [];
  for (const [field, limit] of Object.entries(FIELD_LIMITS)) {
    const value = (args as Record<string, unknown>)[field];
    if (typeof value !== 'string' || limit === undefined) continue;
    let length = 0;
    for (const _ of value) length++;
    if (length > limit) problems.push(`${field} is ${length} characters, over the limit of ${limit}`);
  }
  return problems.length > 0 ? failure('C0141E', `Invalid input: ${problems.join('; ')}`) : undefined;
}

/** The attributes as given, copied so a later change to the request cannot reach the store; null entries dropped. */
function copyAttributes(given: (SandboxAttribute | null)[] | null | undefined): SandboxAttribute[] | null {
  if (given == null) return null;
  return given.flatMap((attribute) =>
    attribute ? [{ name: attribute.name, type: attribute.type, value: attribute.value }] : [],
  );
}

function toSandboxCustomer(customer: StoredCustomer): SandboxCustomer {
  return {
    id: customer.id,
    ref: customer.ref,
    username: customer.username,
    title: customer.title,
    firstName: customer.firstName,
    lastName: customer.lastName,
    primaryEmail: customer.primaryEmail,
    primaryPhone: customer.primaryPhone,
    timezone: customer.timezone,
    promotionOptIn: customer.promotionOptIn,
    department: customer.department,
    country: customer.country,
    status: customer.status,
    retailerId: customer.retailerId,
    createdOn: customer.createdOn,
    updatedOn: customer.updatedOn,
  };
}
