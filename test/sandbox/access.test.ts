import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type SandboxOptions, startSandbox } from '../../src/sandbox/startSandbox.js';
import {
  CREATE,
  createInput,
  FIND,
  GOOD_GRANT,
  grantToken,
  onlyError,
  postForm,
  postGraphql,
  UPDATE,
  usernamesOf,
} from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const fixture = useSandbox();
const { start } = fixture;

/** The query Fluent's own SDK sends to test a connection (the access schema's comment). */
const ME = `query Me {
  me { id ref username type status primaryRetailer { id }
    roles { role { id name permissions { name } } contexts { contextType contextId } } }
}`;

const USER = `query User($id: ID, $username: String) { user(id: $id, username: $username) { id username } }`;

const RETAILER_BY_ID = `query Retailer($id: ID!) { retailerById(id: $id) { id ref status tradingName } }`;

const RETAILERS = `query Retailers($first: Int, $after: String, $ref: [String!]) {
  retailers(first: $first, after: $after, ref: $ref) { edges { node { id ref } cursor } pageInfo { hasNextPage } }
}`;

interface RoleAnswer {
  role: { name: string; permissions: { name: string }[] };
  contexts: { contextType: string; contextId: string }[];
}

function customerRole(reply: { body: { data: { me: { roles: RoleAnswer[] } } } }): RoleAnswer {
  const role = reply.body.data.me.roles.find((entry) => entry.role.name === 'CUSTOMER_SYNC');
  if (!role) throw new Error('no customer role');
  return role;
}

const permissionsOf = (entry: RoleAnswer) => entry.role.permissions.map((permission) => permission.name).sort();

const retailerIdsOf = (reply: { body: { data: { retailers: { edges: { node: { id: string } }[] } } } }) =>
  reply.body.data.retailers.edges.map((edge) => edge.node.id);

describe('me and user', () => {
  it('answers the login of the fixture.token, with a customer role in an account context and an unrelated role', async () => {
    const s = await start();
    const reply = await postGraphql(s, await grantToken(s, 'integration@acme'), ME);
    expect(reply.body.errors).toBeUndefined();
    const me = reply.body.data.me;
    expect(me).toMatchObject({ username: 'integration@acme', ref: 'integration@acme', status: 'ACTIVE' });
    expect(me.primaryRetailer).toEqual({ id: '1' });
    const role = customerRole(reply);
    expect(role.contexts).toEqual([{ contextType: 'account', contextId: 'SANDBOX' }]);
    expect(permissionsOf(role)).toEqual(
      ['CUSTOMER_CREATE', 'CUSTOMER_UPDATE', 'CUSTOMER_VIEW', 'RETAILER_VIEW', 'USER_VIEW'].sort(),
    );
    const others = me.roles.filter((entry: RoleAnswer) => entry.role.name !== 'CUSTOMER_SYNC');
    expect(others).toHaveLength(1);
    expect(permissionsOf(others[0]).some((name) => name.startsWith('CUSTOMER_'))).toBe(false);
  });

  it('keeps the login per fixture.token, through a refresh too', async () => {
    const s = await start({ faults: { issueRefreshTokens: true } });
    const ann = await postForm(s.url, { ...GOOD_GRANT, username: 'ann' });
    const bob = await grantToken(s, 'bob');
    const meOf = async (accessToken: string) => (await postGraphql(s, accessToken, ME)).body.data.me;
    const annMe = await meOf(ann.body.access_token);
    const bobMe = await meOf(bob);
    expect(annMe.username).toBe('ann');
    expect(bobMe.username).toBe('bob');
    expect(annMe.id).not.toBe(bobMe.id);
    const refreshed = await postForm(s.url, {
      grant_type: 'refresh_token',
      client_id: 'client',
      client_secret: 'secret',
      refresh_token: ann.body.refresh_token,
    });
    expect(await meOf(refreshed.body.access_token)).toEqual(annMe);
  });

  it('answers user(id, username) for the login itself and null for anyone else', async () => {
    const s = await start();
    const me = (await postGraphql(s, fixture.token, ME)).body.data.me;
    const user = async (variables: Record<string, unknown>) =>
      (await postGraphql(s, fixture.token, USER, variables)).body.data.user;
    expect(await user({ username: 'user' })).toEqual({ id: me.id, username: 'user' });
    expect(await user({ id: me.id })).toEqual({ id: me.id, username: 'user' });
    expect(await user({ id: me.id, username: 'user' })).toEqual({ id: me.id, username: 'user' });
    expect(await user({ username: 'someone-else' })).toBeNull();
    expect(await user({ id: '999999' })).toBeNull();
    expect(await user({ id: me.id, username: 'someone-else' })).toBeNull();
  });
});

describe('retailers', () => {
  it('exist only when declared: 1, 2 and 3 by default, plus every retailer of the seed', async () => {
    const s = await start({ seed: [{ retailerId: '12', username: 'seeded' }] });
    const found = await postGraphql(s, fixture.token, RETAILER_BY_ID, { id: '12' });
    expect(found.body.data.retailerById).toMatchObject({ id: '12', status: 'ACTIVE' });
    expect((await postGraphql(s, fixture.token, RETAILER_BY_ID, { id: '99' })).body.data.retailerById).toBeNull();
    expect(retailerIdsOf(await postGraphql(s, fixture.token, RETAILERS, {}))).toEqual(['1', '2', '3', '12']);

    const refused = await postGraphql(s, fixture.token, CREATE, createInput('jane', '99'));
    expect(refused.body.data.createCustomer).toBeNull();
    expect(onlyError(refused)).toEqual({ code: 'C0120E', message: 'C0120E: Retailer 99 not found' });
    expect(s.customers().map((customer) => customer.username)).toEqual(['seeded']);
    expect((await postGraphql(s, fixture.token, CREATE, createInput('jane', '12'))).body.errors).toBeUndefined();
  });

  it('takes the declared list instead of the default', async () => {
    const s = await start({ retailers: ['40', '7'] });
    expect(retailerIdsOf(await postGraphql(s, fixture.token, RETAILERS, {}))).toEqual(['7', '40']);
    expect(onlyError(await postGraphql(s, fixture.token, CREATE, createInput('jane', '1'))).code).toBe('C0120E');
    expect(s.settings().retailers).toEqual(['7', '40']);
  });

  it('pages through the retailers, 10 a page without `first`, and filters by ref', async () => {
    const ids = Array.from({ length: 23 }, (_, index) => String(index + 1));
    const s = await start({ retailers: ids });
    const seen: string[] = [];
    const pages: number[] = [];
    let after: string | undefined;
    for (;;) {
      const reply = await postGraphql(s, fixture.token, RETAILERS, after === undefined ? {} : { after });
      const { edges, pageInfo } = reply.body.data.retailers;
      seen.push(...edges.map((edge: { node: { id: string } }) => edge.node.id));
      pages.push(edges.length);
      if (!pageInfo.hasNextPage) break;
      after = edges.at(-1).cursor;
    }
    expect(pages).toEqual([10, 10, 3]);
    expect(seen).toEqual(ids);
    const firstFive = await postGraphql(s, fixture.token, RETAILERS, { first: 5 });
    expect(retailerIdsOf(firstFive)).toEqual(['1', '2', '3', '4', '5']);
    expect(retailerIdsOf(await postGraphql(s, fixture.token, RETAILERS, { ref: ['RETAILER_17'] }))).toEqual(['17']);
    const badCursor = await postGraphql(s, fixture.token, RETAILERS, { after: 'garbage' });
    expect(onlyError(badCursor).code).toBe('C0160E');
  });
});

describe('a login scoped to one retailer', () => {
  const seed = [
    { retailerId: '1', username: 'ann', primaryEmail: 'ann@example.com' },
    { retailerId: '2', username: 'bob', primaryEmail: 'bob@example.com' },
    { retailerId: '2', username: 'shared' },
    { retailerId: '3', username: 'shared' },
  ];
  const scoped: SandboxOptions = { seed, loginScope: { kind: 'retailer', retailerId: '2' } };

  it('holds its customer role in that retailer’s context only', async () => {
    const s = await start(scoped);
    const reply = await postGraphql(s, fixture.token, ME);
    expect(customerRole(reply).contexts).toEqual([{ contextType: 'retailer', contextId: '2' }]);
    expect(reply.body.data.me.primaryRetailer).toEqual({ id: '2' });
  });

  it('sees only its retailer’s customers and only its retailer', async () => {
    const s = await start(scoped);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, {}))).toEqual(['bob', 'shared']);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['ann', 'bob', 'shared'] }))).toEqual([
      'bob',
      'shared',
    ]);
    const byRef = await postGraphql(
      s,
      fixture.token,
      `{ ann: customer(ref: "ann") { id } bob: customer(ref: "bob") { id } }`,
    );
    expect(byRef.body.data).toEqual({ ann: null, bob: { id: '2' } });
    const byId = await postGraphql(s, fixture.token, `{ customerById(id: "1") { id } }`);
    expect(byId.body.data.customerById).toBeNull();
    expect((await postGraphql(s, fixture.token, RETAILER_BY_ID, { id: '1' })).body.data.retailerById).toBeNull();
    expect((await postGraphql(s, fixture.token, RETAILER_BY_ID, { id: '2' })).body.data.retailerById).toMatchObject({
      id: '2',
    });
    expect(retailerIdsOf(await postGraphql(s, fixture.token, RETAILERS, {}))).toEqual(['2']);
  });

  it('creates and updates for its retailer only; any other fails with C0020E', async () => {
    const s = await start(scoped);
    expect((await postGraphql(s, fixture.token, CREATE, createInput('carol', '2'))).body.errors).toBeUndefined();
    for (const retailerId of ['1', '3', '99']) {
      const refused = await postGraphql(s, fixture.token, CREATE, createInput(`dave${retailerId}`, retailerId));
      expect(refused.body.data.createCustomer).toBeNull();
      expect(onlyError(refused).code).toBe('C0020E');
      expect(onlyError(refused).message).toMatch(/^C0020E: /);
    }
    const otherRetailer = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'ann', firstName: 'X' } });
    expect(onlyError(otherRetailer).code).toBe('C0020E');
    // 'shared' is held by retailers 2 and 3: the login reaches only retailer 2's, so that one is meant.
    const own = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'shared', firstName: 'Two' } });
    expect(own.body.errors).toBeUndefined();
    expect(s.customers().map((customer) => [customer.retailerId, customer.username, customer.firstName])).toEqual([
      ['1', 'ann', null],
      ['2', 'bob', null],
      ['2', 'shared', 'Two'],
      ['3', 'shared', null],
      ['2', 'carol', null],
    ]);
  });

  it('must be scoped to a retailer that exists', async () => {
    const failed = startSandbox({ loginScope: { kind: 'retailer', retailerId: '9' } });
    await expect(failed).rejects.toThrow(UsageError);
    await expect(failed).rejects.toThrow(/retailer '9'/);
  });
});

describe('missing permissions', () => {
  it('are absent from me, and the operations needing them fail with C0020E', async () => {
    const s = await start({
      seed: [{ retailerId: '1', username: 'ann' }],
      missingPermissions: ['CUSTOMER_UPDATE'],
    });
    const role = customerRole(await postGraphql(s, fixture.token, ME));
    expect(permissionsOf(role)).toEqual(['CUSTOMER_CREATE', 'CUSTOMER_VIEW', 'RETAILER_VIEW', 'USER_VIEW']);
    const update = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'ann', firstName: 'X' } });
    expect(update.body.data.updateCustomer).toBeNull();
    expect(onlyError(update)).toEqual({
      code: 'C0020E',
      message: expect.stringMatching(/^C0020E: .*CUSTOMER_UPDATE/),
    });
    expect(s.customers()[0]?.firstName).toBeNull();
    expect(s.stats().updates).toBe(0);
    // What needs another permission still works.
    expect((await postGraphql(s, fixture.token, CREATE, createInput('bob'))).body.errors).toBeUndefined();
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, {}))).toEqual(['ann', 'bob']);
  });

  it('guard each operation by its own permission', async () => {
    const operations: [permission: string, query: string, variables: Record<string, unknown>][] = [
      ['CUSTOMER_VIEW', FIND, {}],
      ['CUSTOMER_VIEW', `{ customer(ref: "ann") { id } }`, {}],
      ['CUSTOMER_VIEW', `{ customerById(id: "1") { id } }`, {}],
      ['CUSTOMER_CREATE', CREATE, createInput('bob')],
      ['CUSTOMER_UPDATE', UPDATE, { input: { username: 'ann', firstName: 'X' } }],
      ['USER_VIEW', ME, {}],
      ['USER_VIEW', USER, { username: 'user' }],
      ['RETAILER_VIEW', RETAILER_BY_ID, { id: '1' }],
      ['RETAILER_VIEW', RETAILERS, {}],
    ];
    for (const [permission, query, variables] of operations) {
      const s = await start({ seed: [{ retailerId: '1', username: 'ann' }], missingPermissions: [permission] });
      const refused = await postGraphql(s, fixture.token, query, variables);
      expect(refused.status).toBe(200);
      expect(onlyError(refused).code, `${permission} guards ${query}`).toBe('C0020E');
      expect(Object.values(refused.body.data)).toEqual([null]);
      await s.close();
      // The same operation passes with every permission.
      const allowed = await start({ seed: [{ retailerId: '1', username: 'ann' }] });
      expect((await postGraphql(allowed, fixture.token, query, variables)).body.errors).toBeUndefined();
      await allowed.close();
    }
  });

  it('must name permissions the sandbox knows', async () => {
    await expect(startSandbox({ missingPermissions: ['CUSTOMER_DELETE'] })).rejects.toThrow(
      /unknown sandbox permission 'CUSTOMER_DELETE'/,
    );
  });
});
