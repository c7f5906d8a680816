/**
 * Fluent's documented limits and paging as its real API may answer: C0001E (query complexity over 11,111) asks again
 * with less, edges repeated across pages count once, and a listing that cannot go on ends, marked incomplete.
 */
import { describe, expect, it } from 'vitest';
import { FluentDataError } from '../../src/fluent/errors.js';
import { graphqlRequests, type StubAnswer, useFluentFixtures } from './fixtures.js';
import { operationOf, type StubRequest } from './stubServer.js';

const fx = useFluentFixtures();
const tooComplex: StubAnswer = [200, { errors: [{ message: 'C0001E: Query complexity 12000 exceeds 11111' }] }];
const node = (id: number, username = `u${id}`) => ({
  id: String(id),
  username,
  primaryEmail: null,
  retailer: { id: '1' },
});
const page = (
  nodes: ReturnType<typeof node>[],
  hasNextPage: boolean,
  cursorOf = (n: { id: string }) => `c${n.id}`,
) => ({
  data: { customers: { edges: nodes.map((n) => ({ cursor: cursorOf(n), node: n })), pageInfo: { hasNextPage } } },
});
const variablesOf = (request: StubRequest) => operationOf(request).variables ?? {};

describe('C0001E: asked again with less', () => {
  it('a lookup too complex for Fluent is asked in halves until each part passes', async () => {
    const stub = await fx.fluent((request) => {
      const usernames = variablesOf(request).usernames as string[];
      if (usernames.length > 30) return tooComplex;
      return [
        200,
        page(
          usernames.map((u) => node(Number(u.slice(1)), u)),
          false,
        ),
      ];
    });
    const wanted = Array.from({ length: 100 }, (_, i) => `u${i}`);
    const found = await fx.client(stub.url).findCustomers(wanted);
    expect(found.map((c) => c.username).sort()).toEqual([...wanted].sort());
    const asked = graphqlRequests(stub).map((r) => (variablesOf(r).usernames as string[]).length);
    // 100 → 50 + 50 → four parts of 25, each with a page twice its size.
    expect(asked).toEqual([100, 50, 25, 25, 50, 25, 25]);
    expect(
      graphqlRequests(stub)
        .map((r) => variablesOf(r).first)
        .slice(-2),
    ).toEqual([100, 100]);
  });

  it('a listing page too complex for Fluent is asked again at half the size, and paging goes on from there', async () => {
    const stub = await fx.fluent((request) => {
      const { first, after } = variablesOf(request) as { first: number; after?: string };
      if (first > 1000) return tooComplex;
      const start = after === undefined ? 0 : Number(after.slice(1));
      const ids = Array.from({ length: Math.min(first, 3000 - start) }, (_, i) => start + i + 1);
      return [
        200,
        page(
          ids.map((id) => node(id)),
          start + ids.length < 3000,
        ),
      ];
    });
    let listed = 0;
    const listing = await fx.client(stub.url).listCustomers({
      pageSize: 5000,
      onPage: (customers) => {
        listed += customers.length;
      },
    });
    expect(listing).toEqual({ complete: true });
    expect(listed).toBe(3000);
    expect(graphqlRequests(stub).map((r) => variablesOf(r).first)).toEqual([5000, 2500, 1250, 625, 625, 625, 625, 625]);
  });

  it('a batch too complex for Fluent is sent in halves, each mutation answered once, in order', async () => {
    const stub = await fx.fluent((request) => {
      const variables = variablesOf(request);
      const aliases = Object.keys(variables);
      if (aliases.length > 2) return tooComplex;
      const data = Object.fromEntries(
        aliases.map((alias) => [
          alias,
          { ...node(Number(alias.slice(1))), username: (variables[alias] as { username: string }).username },
        ]),
      );
      return [200, { data }];
    });
    const mutations = Array.from({ length: 5 }, (_, i) => ({
      kind: 'update' as const,
      input: { username: `m${i}`, lastName: 'X' },
    }));
    const answer = await fx.client(stub.url).mutateBatch(mutations);
    expect(answer.results.map((r) => r.kind === 'done' && r.customer.username)).toEqual(['m0', 'm1', 'm2', 'm3', 'm4']);
    // 5 → 3 + 2 → 3 is split again into 2 + 1: every mutation sent in one request that Fluent took.
    expect(graphqlRequests(stub).map((r) => Object.keys(variablesOf(r)).length)).toEqual([5, 3, 2, 1, 2]);
  });

  it('one username still too complex is Fluent’s refusal, for the row', async () => {
    const stub = await fx.fluent(() => tooComplex);
    const error = await fx
      .client(stub.url)
      .findCustomers(['only'])
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    expect((error as FluentDataError).code).toBe('C0001E');
  });
});

describe('paging as the real API may answer', () => {
  it('an edge repeated across pages is listed once', async () => {
    const pages = [page([node(1), node(2)], true), page([node(2), node(3)], true), page([node(3), node(4)], false)];
    const stub = await fx.fluent(() => [200, pages[graphqlRequests(stub).length - 1]]);
    const usernames: string[] = [];
    const listing = await fx.client(stub.url).listCustomers({
      pageSize: 2,
      onPage: (customers) => usernames.push(...customers.map((c) => c.username)),
    });
    expect(listing).toEqual({ complete: true });
    expect(usernames).toEqual(['u1', 'u2', 'u3', 'u4']);
  });

  const endings = [
    ['a cursor that does not advance', page([node(3)], true, () => 'c2')],
    [
      'hasNextPage with no cursor',
      { data: { customers: { edges: [{ node: node(3) }], pageInfo: { hasNextPage: true } } } },
    ],
  ] as const;
  for (const [name, second] of endings) {
    it(`${name} ends the listing with what was read, marked incomplete`, async () => {
      const pages = [page([node(1), node(2)], true), second];
      const stub = await fx.fluent(() => [200, pages[Math.min(1, graphqlRequests(stub).length - 1)]]);
      const usernames: string[] = [];
      const listing = await fx.client(stub.url).listCustomers({
        pageSize: 2,
        onPage: (customers) => usernames.push(...customers.map((c) => c.username)),
      });
      expect(listing).toEqual({
        complete: false,
        stopped: false,
        warning: 'Fluent said more customers follow but gave no new cursor to page with',
      });
      expect(usernames).toEqual(['u1', 'u2', 'u3']);
      expect(graphqlRequests(stub)).toHaveLength(2);
    });
  }

  it('a lookup whose pages cannot go on is asked again in halves, never decided on part of its matches', async () => {
    const stub = await fx.fluent((request) => {
      const usernames = variablesOf(request).usernames as string[];
      const nodes = usernames.map((u) => node(Number(u.slice(1)), u));
      // Two or more usernames: a first page that says more follow, with a stuck cursor.
      if (usernames.length > 1) return [200, page(nodes.slice(0, 1), true, () => variablesOf(request).after as string)];
      return [200, page(nodes, false)];
    });
    const found = await fx.client(stub.url).findCustomers(['u1', 'u2', 'u3']);
    expect(found.map((c) => c.username).sort()).toEqual(['u1', 'u2', 'u3']);
  });
});
