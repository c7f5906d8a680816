import { FIELD_LIMITS, UPDATABLE_FIELDS } from '../types.js';
import type { SandboxCustomer, SeedCustomer } from './sandboxTypes.js';

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

export interface PageRequest {
  first?: number | null;
  last?: number | null;
  /** Only customers with a higher id. */
  afterId?: number;
  /** Only customers with a lower id. */
  beforeId?: number;
}

export interface CustomerPage {
  customers: StoredCustomer[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/** Failures are values with a Fluent-like message; the GraphQL layer turns them into `errors[]`. */
export type StoreResult<T> = { ok: true; value: T } | { ok: false; code: string; message: string };

export interface SandboxStore {
  createCustomer(args: CreateCustomerArgs): StoreResult<StoredCustomer>;
  updateCustomer(args: UpdateCustomerArgs): StoreResult<StoredCustomer>;
  /** A ref can repeat across retailers; the lowest id wins. */
  findByRef(ref: string): StoredCustomer | undefined;
  findById(id: string): StoredCustomer | undefined;
  findCustomers(filter: CustomerFilter, page: PageRequest): StoreResult<CustomerPage>;
  retailer(id: string): SandboxRetailer;
  snapshot(): SandboxCustomer[];
  counts(): { creates: number; updates: number };
}

/** Fluent's page size when the query gives no `first` (SPEC §1). */
export const DEFAULT_PAGE_SIZE = 10;

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
 * The sandbox's in-memory OMS: customers, retailers made on demand, per-retailer username uniqueness and
 * indexes by username, ref and email so batched lookups stay cheap with many customers.
 *
 * @param seed customers to start with; duplicates (retailer + username, or id) throw, since a seed is
 *   checked by `loadSeed` before it gets here
 */
export function createSandboxStore(seed: readonly SeedCustomer[], now: () => number): SandboxStore {
  const byId = new Map<string, StoredCustomer>();
  /** Every customer by ascending id: creates take the highest id so appending keeps the order. */
  let ordered: StoredCustomer[] = [];
  const byUsername = new Map<string, StoredCustomer[]>();
  const byRef = new Map<string, StoredCustomer[]>();
  const byEmail = new Map<string, Set<StoredCustomer>>();
  const byRetailerUsername = new Map<string, StoredCustomer>();
  const retailers = new Map<string, SandboxRetailer>();
  let nextId = 1;
  let creates = 0;
  let updates = 0;

  const timestamp = () => new Date(now()).toISOString();
  const retailerKey = (retailerId: string, username: string) => `${retailerId}\u0000${username}`;

  function retailer(id: string): SandboxRetailer {
    let found = retailers.get(id);
    if (!found) {
      const at = timestamp();
      found = {
        id,
        ref: `RETAILER_${id}`,
        status: 'ACTIVE',
        tradingName: `Retailer ${id}`,
        primaryEmail: null,
        createdOn: at,
        updatedOn: at,
      };
      retailers.set(id, found);
    }
    return found;
  }

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
    indexEmail(customer);
    byRetailerUsername.set(retailerKey(customer.retailerId, customer.username), customer);
    retailer(customer.retailerId);
    nextId = Math.max(nextId, customer.idNumber + 1);
  }

  for (const [index, entry] of seed.entries()) {
    const id = entry.id ?? String(nextId);
    if (!/^\d+$/.test(id)) throw new Error(`seed entry ${index + 1}: id '${id}' is not a number`);
    if (byId.has(id)) throw new Error(`seed entry ${index + 1}: id ${id} is used twice`);
    if (byRetailerUsername.has(retailerKey(entry.retailerId, entry.username))) {
      throw new Error(`seed entry ${index + 1}: username '${entry.username}' repeats for retailer ${entry.retailerId}`);
    }
    const at = timestamp();
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
      createdOn: at,
      updatedOn: at,
      attributes: null,
    });
  }
  ordered = [...byId.values()].sort((a, b) => a.idNumber - b.idNumber);

  function createCustomer(args: CreateCustomerArgs): StoreResult<StoredCustomer> {
    if (args.username === '') return invalid('username must not be empty');
    if (args.retailer.id === '') return invalid('retailer.id must not be empty');
    const tooLong = findTooLong(args);
    if (tooLong) return invalid(tooLong);
    const key = retailerKey(args.retailer.id, args.username);
    if (byRetailerUsername.has(key)) {
      return {
        ok: false,
        code: 'DUPLICATE',
        message: `Customer with username '${args.username}' already exists for retailer ${args.retailer.id}`,
      };
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
      retailerId: args.retailer.id,
      createdOn: at,
      updatedOn: at,
      attributes: mergeAttributes(null, args.attributes),
    };
    insert(customer);
    ordered.push(customer);
    creates++;
    return { ok: true, value: customer };
  }

  function updateCustomer(args: UpdateCustomerArgs): StoreResult<StoredCustomer> {
    const tooLong = findTooLong(args);
    if (tooLong) return invalid(tooLong);
    const matches = byUsername.get(args.username) ?? [];
    const customer = matches[0];
    if (!customer) {
      return { ok: false, code: 'NOT_FOUND', message: `Customer with username '${args.username}' not found` };
    }
    if (matches.length > 1) {
      const held = matches.map((match) => match.retailerId).join(', ');
      return {
        ok: false,
        code: 'AMBIGUOUS',
        message: `Customer with username '${args.username}' is ambiguous: it exists for retailers ${held}`,
      };
    }
    for (const field of UPDATE_FIELDS) {
      if (!Object.hasOwn(args, field)) continue;
      if (field === 'primaryEmail') unindexEmail(customer);
      customer[field] = args[field] ?? null;
      if (field === 'primaryEmail') indexEmail(customer);
    }
    if (Object.hasOwn(args, 'promotionOptIn')) customer.promotionOptIn = args.promotionOptIn ?? null;
    if (Object.hasOwn(args, 'attributes')) {
      customer.attributes = args.attributes === null ? null : mergeAttributes(customer.attributes, args.attributes);
    }
    customer.updatedOn = timestamp();
    updates++;
    return { ok: true, value: customer };
  }

  function findCustomers(filter: CustomerFilter, page: PageRequest): StoreResult<CustomerPage> {
    if (page.first != null && page.first < 0) return invalid('first must not be negative');
    if (page.last != null && page.last < 0) return invalid('last must not be negative');
    const ranges: [field: 'createdOn' | 'updatedOn', from: number, to: number][] = [];
    for (const field of ['createdOn', 'updatedOn'] as const) {
      const range = filter[field];
      if (!range) continue;
      const from = range.from == null ? -Infinity : Date.parse(range.from);
      const to = range.to == null ? Infinity : Date.parse(range.to);
      if (Number.isNaN(from) || Number.isNaN(to)) return invalid(`${field} must hold ISO 8601 dates`);
      ranges.push([field, from, to]);
    }
    // An empty list filters nothing, like an absent argument.
    const lists = LIST_FILTERS.flatMap((field) => {
      const values = filter[field];
      return values && values.length > 0 ? [[field, new Set<unknown>(values)] as const] : [];
    });

    let candidates = ordered;
    const indexed = lists.find(([field]) => field === 'username' || field === 'ref' || field === 'primaryEmail');
    if (indexed) {
      const [field, values] = indexed;
      const found = new Set<StoredCustomer>();
      for (const value of values) {
        if (typeof value !== 'string') continue;
        const hits =
          field === 'username' ? byUsername.get(value) : field === 'ref' ? byRef.get(value) : byEmail.get(value);
        for (const hit of hits ?? []) found.add(hit);
      }
      candidates = [...found].sort((a, b) => a.idNumber - b.idNumber);
    }
    const matched =
      lists.length === 0 && ranges.length === 0
        ? candidates
        : candidates.filter(
            (customer) =>
              lists.every(([field, values]) => values.has(customer[field])) &&
              ranges.every(([field, from, to]) => {
                const at = Date.parse(customer[field]);
                return at >= from && at <= to;
              }),
          );

    let start = page.afterId === undefined ? 0 : firstIndexAbove(matched, page.afterId);
    let end = page.beforeId === undefined ? matched.length : firstIndexAbove(matched, page.beforeId - 1);
    end = Math.max(start, end);
    if (page.first != null) end = Math.min(end, start + page.first);
    else if (page.last == null) end = Math.min(end, start + DEFAULT_PAGE_SIZE);
    if (page.last != null) start = Math.max(start, end - page.last);
    return {
      ok: true,
      value: { customers: matched.slice(start, end), hasPreviousPage: start > 0, hasNextPage: end < matched.length },
    };
  }

  return {
    createCustomer,
    updateCustomer,
    findByRef: (ref) => byRef.get(ref)?.[0],
    findById: (id) => byId.get(id),
    findCustomers,
    retailer,
    snapshot: () => ordered.map(toSandboxCustomer),
    counts: () => ({ creates, updates }),
  };
}

function invalid(message: string): { ok: false; code: string; message: string } {
  return { ok: false, code: 'INVALID', message };
}

/** Index of the first customer whose id is above `id` (binary search: `ordered` lists are sorted by id). */
function firstIndexAbove(customers: readonly StoredCustomer[], id: number): number {
  let low = 0;
  let high = customers.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if ((customers[middle] as StoredCustomer).idNumber <= id) low = middle + 1;
    else high = middle;
  }
  return low;
}

/**
 * Names every field over Fluent's length limit, or undefined. Lengths count Unicode code points, the lenient
 * reading: a client that counts UTF-16 units (stricter) never sends what this refuses.
 */
function findTooLong(args: CreateCustomerArgs | UpdateCustomerArgs): string | undefined {
  const problems: string[] = [];
  for (const [field, limit] of Object.entries(FIELD_LIMITS)) {
    const value = (args as Record<string, unknown>)[field];
    if (typeof value !== 'string' || limit === undefined) continue;
    let length = 0;
    for (const _ of value) length++;
    if (length > limit) problems.push(`${field} is ${length} characters, over the limit of ${limit}`);
  }
  return problems.length > 0 ? `Invalid input: ${problems.join('; ')}` : undefined;
}

/** Fluent upserts attributes by name: a given name replaces the old value, others stay. */
function mergeAttributes(
  existing: SandboxAttribute[] | null,
  given: (SandboxAttribute | null)[] | null | undefined,
): SandboxAttribute[] | null {
  if (given == null) return existing;
  const merged = new Map((existing ?? []).map((attribute) => [attribute.name, attribute]));
  for (const attribute of given) {
    if (attribute) merged.set(attribute.name, { name: attribute.name, type: attribute.type, value: attribute.value });
  }
  return [...merged.values()];
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
