import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxStore } from '../../src/sandbox/createSandboxStore.js';
import type { SandboxStore, StoreSettings } from '../../src/sandbox/sandboxStoreTypes.js';
import type { SeedCustomer } from '../../src/sandbox/sandboxTypes.js';
import { slicePage } from '../../src/sandbox/slicePage.js';

/** The SQLite store on its own: no HTTP, no GraphQL. */
const SETTINGS: StoreSettings = {
  retailers: ['1', '2', '3'],
  lookupMatch: 'exact',
  uniqueCi: false,
  attributeUpdates: 'replace',
  nullUpdates: 'clear',
};
const AT = Date.parse('2024-05-01T10:00:00Z');

const open: SandboxStore[] = [];
function aStore(seed: SeedCustomer[] = [], settings: Partial<StoreSettings> = {}, now = () => AT): SandboxStore {
  const store = createSandboxStore(seed, { ...SETTINGS, ...settings }, now);
  open.push(store);
  return store;
}
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

const create = (username: string, retailerId = '1', extra: Record<string, unknown> = {}) => ({
  username,
  primaryEmail: `${username}@example.com`,
  promotionOptIn: false,
  retailer: { id: retailerId },
  ...extra,
});

const usernames = (store: SandboxStore, filter: Parameters<SandboxStore['findCustomers']>[0]) => {
  const found = store.findCustomers(filter, { first: 100 }, undefined);
  if (!found.ok) throw new Error(found.message);
  return found.value.items.map((customer) => customer.username);
};

describe('createSandboxStore', () => {
  it('keeps usernames unique per retailer and gives each create the next id', () => {
    const store = aStore([{ retailerId: '1', username: 'seeded', id: '40' }]);
    const jane = store.createCustomer(create('jane'), undefined);
    expect(jane).toMatchObject({ ok: true, value: { id: '41', ref: 'jane', status: 'ACTIVE', retailerId: '1' } });
    expect(store.createCustomer(create('jane', '2'), undefined).ok).toBe(true);
    expect(store.createCustomer(create('Jane'), undefined).ok).toBe(true);
    expect(store.createCustomer(create('jane'), undefined)).toEqual({
      ok: false,
      code: 'C0123E',
      message: "Customer with username 'jane' already exists for retailer 1",
    });
    expect(store.snapshot().map((customer) => [customer.id, customer.username, customer.retailerId])).toEqual([
      ['40', 'seeded', '1'],
      ['41', 'jane', '1'],
      ['42', 'jane', '2'],
      ['43', 'Jane', '1'],
    ]);
    expect(store.counts()).toEqual({ creates: 3, updates: 0 });
  });

  it('refuses a case variant of the same retailer with uniqueCi, a seed’s variants included', () => {
    const store = aStore(
      [
        { retailerId: '1', username: 'ÉMILE' },
        { retailerId: '1', username: 'émile' },
      ],
      { uniqueCi: true },
    );
    expect(store.createCustomer(create('Émile'), undefined)).toMatchObject({ ok: false, code: 'C0123E' });
    expect(store.createCustomer(create('Émile', '2'), undefined).ok).toBe(true);
  });

  it('matches usernames exactly, without regard to case in all of Unicode (ci), or like SQL LIKE', () => {
    const seed = ['1_jane@example.com', '1_JANE@example.com', '1xjane@example.com', 'Ärger', 'ärger%'].map(
      (username) => ({ retailerId: '1', username }),
    );
    expect(usernames(aStore(seed), { username: ['1_jane@example.com', 'ärger'] })).toEqual(['1_jane@example.com']);
    expect(usernames(aStore(seed, { lookupMatch: 'ci' }), { username: ['1_Jane@example.com', 'ÄRGER'] })).toEqual([
      '1_jane@example.com',
      '1_JANE@example.com',
      'Ärger',
    ]);
    const like = aStore(seed, { lookupMatch: 'like' });
    expect(usernames(like, { username: ['1_jane@example.com'] })).toEqual([
      '1_jane@example.com',
      '1_JANE@example.com',
      '1xjane@example.com',
    ]);
    expect(usernames(like, { username: ['ä%'] })).toEqual(['Ärger', 'ärger%']);
    expect(usernames(like, { ref: ['_rger'] })).toEqual(['Ärger']);
  });

  it('matches a null in a list filter against customers without that field, and ANDs the filters', () => {
    const store = aStore([
      { retailerId: '1', username: 'a', title: 'Ms' },
      { retailerId: '1', username: 'b' },
      { retailerId: '2', username: 'c', status: 'INACTIVE' },
    ]);
    expect(usernames(store, { title: [null] })).toEqual(['b', 'c']);
    expect(usernames(store, { title: ['Ms', null], status: ['ACTIVE'] })).toEqual(['a', 'b']);
    expect(usernames(store, { username: [null] })).toEqual([]);
    expect(usernames(store, { username: [] })).toEqual(['a', 'b', 'c']);
  });

  it('filters by createdOn and updatedOn, and refuses dates it cannot read', () => {
    let clock = AT;
    const store = aStore([], {}, () => clock);
    store.createCustomer(create('early'), undefined);
    clock += 3_600_000;
    store.createCustomer(create('late'), undefined);
    expect(usernames(store, { createdOn: { from: '2024-05-01T10:30:00Z' } })).toEqual(['late']);
    expect(usernames(store, { createdOn: { to: '2024-05-01T10:00:00.000Z' } })).toEqual(['early']);
    store.updateCustomer({ username: 'early', firstName: 'E' }, undefined);
    expect(usernames(store, { updatedOn: { from: '2024-05-01T11:00:00Z', to: null } })).toEqual(['early', 'late']);
    expect(store.findCustomers({ createdOn: { from: 'yesterday' } }, {}, undefined)).toMatchObject({
      ok: false,
      code: 'C0160E',
    });
  });

  it('finds a changed email under its new value only', () => {
    const store = aStore();
    store.createCustomer(create('jane'), undefined);
    store.updateCustomer({ username: 'jane', primaryEmail: 'new@example.com' }, undefined);
    expect(usernames(store, { primaryEmail: ['jane@example.com'] })).toEqual([]);
    expect(usernames(store, { primaryEmail: ['new@example.com'] })).toEqual(['jane']);
    expect(store.snapshot()[0]?.primaryEmail).toBe('new@example.com');
  });

  it('sees and writes only the retailers the login reaches', () => {
    const store = aStore([
      { retailerId: '1', username: 'ann' },
      { retailerId: '2', username: 'ann', id: '7' },
    ]);
    const two = new Set(['2']);
    expect(store.findByRef('ann', undefined)?.retailerId).toBe('1');
    expect(store.findByRef('ann', two)?.id).toBe('7');
    expect(store.findById('1', two)).toBeUndefined();
    expect(store.createCustomer(create('bob', '1'), two)).toMatchObject({ ok: false, code: 'C0020E' });
    expect(store.updateCustomer({ username: 'ann', firstName: 'A' }, undefined)).toMatchObject({
      ok: false,
      code: 'C0160E',
    });
    expect(store.updateCustomer({ username: 'ann', firstName: 'A' }, two)).toMatchObject({
      ok: true,
      value: { id: '7', firstName: 'A' },
    });
  });

  it('refuses a seed with a repeated id or username, or an undeclared retailer', () => {
    expect(() =>
      aStore([
        { retailerId: '1', username: 'a', id: '3' },
        { retailerId: '2', username: 'b', id: '3' },
      ]),
    ).toThrow(/entry 2: id 3 is used twice/);
    expect(() =>
      aStore([
        { retailerId: '1', username: 'a' },
        { retailerId: '1', username: 'a' },
      ]),
    ).toThrow(/entry 2: username 'a' repeats for retailer 1/);
    expect(() => aStore([{ retailerId: '9', username: 'a' }])).toThrow(/retailer 9 is not declared/);
  });

  it('cuts every page as slicePage cuts the list of matches', () => {
    const names = ['a', 'b', 'c', 'd'];
    const seedArbitrary = fc
      .uniqueArray(
        fc.record({
          id: fc.integer({ min: 1, max: 60 }),
          username: fc.constantFrom(...names),
          retailerId: fc.constantFrom('1', '2'),
          status: fc.constantFrom('ACTIVE', 'INACTIVE'),
        }),
        { selector: (entry) => `${entry.id}`, maxLength: 25 },
      )
      .map((entries) => {
        const seen = new Set<string>();
        return entries.filter(
          (entry) =>
            !seen.has(`${entry.retailerId}/${entry.username}`) && seen.add(`${entry.retailerId}/${entry.username}`),
        );
      });
    const maybe = <T>(arbitrary: fc.Arbitrary<T>) => fc.option(arbitrary, { nil: undefined });
    const requestArbitrary = fc.record({
      username: maybe(fc.subarray(names)),
      status: maybe(fc.subarray(['ACTIVE', 'INACTIVE'])),
      reach: maybe(fc.constantFrom(['1'], ['2'])),
      first: maybe(fc.integer({ min: 0, max: 6 })),
      last: maybe(fc.integer({ min: 0, max: 6 })),
      after: maybe(fc.integer({ min: 0, max: 61 })),
      before: maybe(fc.integer({ min: 0, max: 61 })),
    });
    fc.assert(
      fc.property(seedArbitrary, fc.array(requestArbitrary, { minLength: 1, maxLength: 8 }), (entries, requests) => {
        const store = aStore(entries.map((entry) => ({ ...entry, id: String(entry.id) })));
        const byId = [...entries].sort((a, b) => a.id - b.id);
        for (const request of requests) {
          const reach = request.reach && new Set(request.reach);
          const page = { first: request.first, last: request.last, after: request.after, before: request.before };
          const matches = byId.filter(
            (entry) =>
              (!request.username?.length || request.username.includes(entry.username)) &&
              (!request.status?.length || request.status.includes(entry.status)) &&
              (!reach || reach.has(entry.retailerId)),
          );
          const expected = slicePage(matches, (entry) => entry.id, page);
          const found = store.findCustomers({ username: request.username, status: request.status }, page, reach);
          if (!expected.ok || !found.ok) throw new Error('no page');
          expect({
            ids: found.value.items.map((customer) => customer.idNumber),
            hasPreviousPage: found.value.hasPreviousPage,
            hasNextPage: found.value.hasNextPage,
          }).toEqual({
            ids: expected.page.items.map((entry) => entry.id),
            hasPreviousPage: expected.page.hasPreviousPage,
            hasNextPage: expected.page.hasNextPage,
          });
        }
        store.close();
      }),
      { numRuns: 150 },
    );
  });
});
