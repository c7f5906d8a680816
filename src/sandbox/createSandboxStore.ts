import Database from 'better-sqlite3';
import { FIELD_LIMITS } from '../types.js';
import { alterStoredValues } from './alterStoredValues.js';
import { applyCustomerUpdate, copyAttributes } from './applyCustomerUpdate.js';
import {
  COLUMNS,
  FOLDED_INDEXES,
  INSERT,
  type Row,
  SCHEMA,
  toCustomer,
  toRow,
  toSandboxCustomer,
  UPDATABLE_COLUMNS,
} from './customerRows.js';
import { customerWhere, foldCase } from './customerWhere.js';
import type { FluentErrorCode } from './fluentError.js';
import { pageCustomerIds } from './pageCustomerIds.js';
import type {
  CreateCustomerArgs,
  CustomerFilter,
  Reach,
  RetailerFilter,
  SandboxRetailer,
  SandboxStore,
  StoredCustomer,
  StoreFailure,
  StoreResult,
  StoreSettings,
  UpdateCustomerArgs,
} from './sandboxStoreTypes.js';
import type { SeedCustomer } from './sandboxTypes.js';
import { type Page, type PageRequest, slicePage } from './slicePage.js';

/**
 * The sandbox's OMS: customers in an in-memory SQLite database (per-retailer username uniqueness by a unique
 * index, lookups by indexes on username, ref and email, optionally without regard to case), and the declared
 * retailers.
 *
 * @param seed customers to start with; duplicates (retailer + username, or id) and retailers not declared
 *   throw, since a seed is checked by `loadSeed` and its retailers added by `resolveSandboxSettings` first
 */
export function createSandboxStore(
  seed: readonly SeedCustomer[],
  settings: StoreSettings,
  now: () => number,
): SandboxStore {
  const db = new Database(':memory:');
  db.function('fold', { deterministic: true }, (text) => (typeof text === 'string' ? foldCase(text) : text));
  db.function('epoch_ms', { deterministic: true }, (text) => (typeof text === 'string' ? Date.parse(text) : null));
  db.exec(SCHEMA);
  if (settings.lookupMatch === 'ci' || settings.uniqueCi) db.exec(FOLDED_INDEXES);
  const statements = new Map<string, Database.Statement>();
  /** Prepared once per SQL text: a client repeats a few query shapes. */
  const statement = (sql: string) => {
    let prepared = statements.get(sql);
    if (!prepared) {
      prepared = db.prepare(sql);
      statements.set(sql, prepared);
    }
    return prepared;
  };
  const idsOf = (sql: string, params: readonly unknown[]) =>
    statement(`SELECT id FROM customers WHERE ${sql}`)
      .pluck()
      .all(...params) as number[];
  const exists = (sql: string, params: readonly unknown[]) =>
    statement(`SELECT EXISTS (SELECT 1 FROM customers WHERE ${sql})`)
      .pluck()
      .get(...params) === 1;
  const insert = db.prepare(INSERT);
  /**
   * Customers as objects, by id: the rows are the truth and every write replaces its customer here, so a lookup
   * hands out what the last write made instead of reading 17 columns per row again. Filled as customers are read.
   */
  const materialised = new Map<number, StoredCustomer>();
  const load = (ids: readonly number[]): StoredCustomer[] => {
    const missing = ids.filter((id) => !materialised.has(id));
    if (missing.length > 0) {
      const rows = statement(`SELECT ${COLUMNS} FROM customers WHERE id IN (SELECT value FROM json_each(?))`)
        .raw()
        .all(JSON.stringify(missing)) as Row[];
      for (const row of rows) materialised.set(row[0], toCustomer(row));
    }
    return ids.map((id) => materialised.get(id) as StoredCustomer);
  };
  let creates = 0;
  let updates = 0;

  const timestamp = () => new Date(now()).toISOString();
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

  db.transaction(() => {
    for (const [index, entry] of seed.entries()) {
      const given = entry.id;
      if (given !== undefined && !/^\d+$/.test(given)) {
        throw new Error(`seed entry ${index + 1}: id '${given}' is not a number`);
      }
      const id = given === undefined ? undefined : Number(given);
      if (id !== undefined && !Number.isSafeInteger(id))
        throw new Error(`seed entry ${index + 1}: id ${given} is too large`);
      if (id !== undefined && exists('id = ?', [id]))
        throw new Error(`seed entry ${index + 1}: id ${id} is used twice`);
      if (exists('retailerId = ? AND username = ?', [entry.retailerId, entry.username])) {
        throw new Error(
          `seed entry ${index + 1}: username '${entry.username}' repeats for retailer ${entry.retailerId}`,
        );
      }
      if (!retailers.has(entry.retailerId)) {
        throw new Error(`seed entry ${index + 1}: retailer ${entry.retailerId} is not declared`);
      }
      insert.run(
        toRow({
          // Without an id the seed entry takes the next one, as a create would.
          id: id === undefined ? '' : String(id),
          idNumber: id ?? 0,
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
        }),
      );
    }
  })();

  function createCustomer(args: CreateCustomerArgs, reach: Reach): StoreResult<StoredCustomer> {
    const retailerId = args.retailer.id;
    if (reach !== undefined && !reach.has(retailerId)) return outsideReach(retailerId, reach);
    if (!retailers.has(retailerId)) return failure('C0120E', `Retailer ${retailerId} not found`);
    if (args.username === '') return failure('C0160E', 'username must not be empty');
    const tooLong = findTooLong(args);
    if (tooLong) return tooLong;
    const taken = () =>
      failure('C0123E', `Customer with username '${args.username}' already exists for retailer ${retailerId}`);
    // A seed may hold case variants (data older than the rule): any one of them makes a new variant taken.
    if (settings.uniqueCi && exists('retailerId = ? AND fold(username) = ?', [retailerId, foldCase(args.username)])) {
      return taken();
    }
    const at = timestamp();
    let customer: StoredCustomer = {
      id: '',
      idNumber: 0,
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
    if (settings.storedValues) customer = alterStoredValues(customer, undefined, settings.storedValues);
    let id: number;
    try {
      id = Number(insert.run(toRow(customer)).lastInsertRowid);
    } catch (error) {
      if (error instanceof Database.SqliteError && error.code === 'SQLITE_CONSTRAINT_UNIQUE') return taken();
      throw error;
    }
    creates++;
    const created = { ...customer, id: String(id), idNumber: id };
    materialised.set(id, created);
    return { ok: true, value: created };
  }

  function updateCustomer(args: UpdateCustomerArgs, reach: Reach): StoreResult<StoredCustomer> {
    // updateCustomer names the customer by username only; a username held under several retailers cannot be
    // told apart, unless the login reaches only one of them.
    const matches = load(idsOf('username = ? ORDER BY id', [args.username]));
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
    let updated = applyCustomerUpdate(customer, args, settings, timestamp());
    if (settings.storedValues) updated = alterStoredValues(updated, customer, settings.storedValues);
    const row = toRow(updated);
    const before = toRow(customer);
    const changed = UPDATABLE_COLUMNS.filter((column) => row[column] !== before[column]);
    const assignments = [...changed, 'updatedOn'].map((column) => `${column} = @${column}`).join(', ');
    statement(`UPDATE customers SET ${assignments} WHERE id = @id`).run(
      Object.fromEntries(['id', 'updatedOn', ...changed].map((column) => [column, row[column]])),
    );
    materialised.set(updated.idNumber, updated);
    updates++;
    return { ok: true, value: updated };
  }

  function findCustomers(filter: CustomerFilter, page: PageRequest, reach: Reach): StoreResult<Page<StoredCustomer>> {
    if (page.first != null && page.first < 0) return failure('C0160E', 'first must not be negative');
    if (page.last != null && page.last < 0) return failure('C0160E', 'last must not be negative');
    const where = customerWhere(filter, reach, settings.lookupMatch);
    if (!where.ok) return failure('C0160E', where.message);
    const { ids, hasPreviousPage, hasNextPage } = pageCustomerIds({ idsOf, exists }, where, page);
    return { ok: true, value: { items: load(ids), hasPreviousPage, hasNextPage } };
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

  const reachCondition = (reach: Reach) =>
    reach === undefined ? '' : ' AND retailerId IN (SELECT value FROM json_each(?))';
  const reachParams = (reach: Reach) => (reach === undefined ? [] : [JSON.stringify([...reach])]);
  const findOne = (condition: string, value: unknown, reach: Reach) =>
    load(idsOf(`${condition}${reachCondition(reach)} ORDER BY id LIMIT 1`, [value, ...reachParams(reach)]))[0];

  return {
    createCustomer,
    updateCustomer,
    findByRef: (ref, reach) => findOne('ref = ?', ref, reach),
    findById: (id, reach) => (/^\d+$/.test(id) ? findOne('id = ?', Number(id), reach) : undefined),
    findCustomers,
    retailer: (id) => retailers.get(id),
    findRetailers,
    snapshot: () =>
      (statement(`SELECT ${COLUMNS} FROM customers ORDER BY id`).raw().all() as Row[]).map(toSandboxCustomer),
    counts: () => ({ creates, updates }),
    close: () => {
      materialised.clear();
      db.close();
    },
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
