import { describe, expect, it } from 'vitest';
import { CREATE, createInput, FIND, postGraphql, UPDATE } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const fixture = useSandbox();
const { start } = fixture;

function seedOf(count: number, retailerId = '1') {
  return Array.from({ length: count }, (_, index) => ({
    retailerId,
    username: `user${String(index + 1).padStart(2, '0')}`,
    primaryEmail: `user${index + 1}@example.com`,
  }));
}

describe('createCustomer', () => {
  it('creates a customer with ref = username, an increasing id and ACTIVE status', async () => {
    const s = await start({ now: () => Date.parse('2024-05-01T10:00:00Z'), retailers: ['7'] });
    const first = await postGraphql(
      s,
      fixture.token,
      CREATE,
      createInput('1_jane@example.com', '7', { firstName: 'Jane' }),
    );
    expect(first.status).toBe(200);
    expect(first.body.errors).toBeUndefined();
    expect(first.body.data.createCustomer).toMatchObject({
      id: '1',
      ref: '1_jane@example.com',
      username: '1_jane@example.com',
      firstName: 'Jane',
      timezone: null,
      status: 'ACTIVE',
      promotionOptIn: false,
      createdOn: '2024-05-01T10:00:00.000Z',
      updatedOn: '2024-05-01T10:00:00.000Z',
      retailer: { id: '7' },
    });
    expect(first.body.data.createCustomer.retailer.ref).toEqual(expect.any(String));
    const second = await postGraphql(s, fixture.token, CREATE, createInput('bob', '7'));
    expect(second.body.data.createCustomer.id).toBe('2');
    expect(s.customers().map((customer) => customer.username)).toEqual(['1_jane@example.com', 'bob']);
    expect(s.stats()).toMatchObject({ creates: 2, mutations: 2, updates: 0 });
  });

  it('keeps usernames unique per retailer only, matching them exactly', async () => {
    const s = await start();
    expect((await postGraphql(s, fixture.token, CREATE, createInput('jane', '1'))).body.errors).toBeUndefined();
    expect((await postGraphql(s, fixture.token, CREATE, createInput('jane', '2'))).body.errors).toBeUndefined();
    expect((await postGraphql(s, fixture.token, CREATE, createInput('Jane', '1'))).body.errors).toBeUndefined();
    const again = await postGraphql(s, fixture.token, CREATE, createInput('jane', '1'));
    expect(again.status).toBe(200);
    expect(again.body.data.createCustomer).toBeNull();
    expect(again.body.errors[0].message).toContain('already exists');
    expect(again.body.errors[0].message).toContain("'jane'");
    expect(s.customers()).toHaveLength(3);
  });

  it('needs username, primaryEmail, promotionOptIn and retailer, and nothing else', async () => {
    const s = await start();
    const { input } = createInput('jane');
    const { primaryEmail: _, ...withoutEmail } = input;
    const refused = await postGraphql(s, fixture.token, CREATE, { input: withoutEmail });
    expect(refused.status).toBe(200);
    expect(refused.body.errors[0].message).toContain('primaryEmail');
    expect(s.customers()).toEqual([]);
    const minimal = await postGraphql(s, fixture.token, CREATE, { input });
    expect(minimal.body.errors).toBeUndefined();
  });

  it('refuses values over Fluent’s field limits, naming the field and the limit', async () => {
    const s = await start();
    const cases: [string, number][] = [
      ['firstName', 50],
      ['title', 50],
      ['lastName', 50],
      ['primaryPhone', 20],
      ['timezone', 32],
      ['country', 100],
      ['primaryEmail', 250],
    ];
    for (const [field, limit] of cases) {
      const atLimit = await postGraphql(
        s,
        fixture.token,
        CREATE,
        createInput(`ok-${field}`, '1', { [field]: 'x'.repeat(limit) }),
      );
      expect(atLimit.body.errors).toBeUndefined();
      const over = await postGraphql(
        s,
        fixture.token,
        CREATE,
        createInput(`no-${field}`, '1', { [field]: 'x'.repeat(limit + 1) }),
      );
      expect(over.body.data.createCustomer).toBeNull();
      expect(over.body.errors[0].message).toContain(field);
      expect(over.body.errors[0].message).toContain(String(limit));
    }
    const longName = await postGraphql(s, fixture.token, CREATE, createInput('u'.repeat(251)));
    expect(longName.body.errors[0].message).toMatch(/username.*250/);
    expect(s.customers().map((customer) => customer.username)).toEqual(cases.map(([field]) => `ok-${field}`));
  });
});

describe('updateCustomer', () => {
  it('changes only the given fields, clears fields given as null and moves updatedOn', async () => {
    let clock = Date.parse('2024-05-01T10:00:00Z');
    const s = await start({ now: () => clock });
    await postGraphql(
      s,
      fixture.token,
      CREATE,
      createInput('jane', '1', { firstName: 'Jane', lastName: 'Doe', title: 'Ms', primaryPhone: '+61400000000' }),
    );
    clock += 60_000;
    const reply = await postGraphql(s, fixture.token, UPDATE, {
      input: { username: 'jane', lastName: 'Smith', title: null, promotionOptIn: true },
    });
    expect(reply.body.errors).toBeUndefined();
    expect(s.customers()[0]).toMatchObject({
      username: 'jane',
      firstName: 'Jane',
      lastName: 'Smith',
      title: null,
      primaryPhone: '+61400000000',
      primaryEmail: 'jane@example.com',
      promotionOptIn: true,
      createdOn: '2024-05-01T10:00:00.000Z',
      updatedOn: '2024-05-01T10:01:00.000Z',
    });
    expect(s.stats()).toMatchObject({ creates: 1, updates: 1, mutations: 2 });
  });

  it('finds a changed email under its new value only', async () => {
    const s = await start();
    await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    await postGraphql(s, fixture.token, UPDATE, { input: { username: 'jane', primaryEmail: 'new@example.com' } });
    const byOld = await postGraphql(s, fixture.token, FIND, { primaryEmail: ['jane@example.com'] });
    const byNew = await postGraphql(s, fixture.token, FIND, { primaryEmail: ['new@example.com'] });
    expect(byOld.body.data.customers.edges).toEqual([]);
    expect(byNew.body.data.customers.edges.map((edge: { node: { username: string } }) => edge.node.username)).toEqual([
      'jane',
    ]);
  });

  it('says so when the username is unknown or held under several retailers', async () => {
    const s = await start({
      seed: [
        { retailerId: '1', username: 'shared' },
        { retailerId: '2', username: 'shared' },
      ],
    });
    const missing = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'ghost', firstName: 'X' } });
    expect(missing.body.data.updateCustomer).toBeNull();
    expect(missing.body.errors[0].message).toBe("C0120E: Customer with username 'ghost' not found");
    expect(missing.body.errors[0].extensions.code).toBe('C0120E');
    const ambiguous = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'shared', firstName: 'X' } });
    expect(ambiguous.body.errors[0].message).toMatch(/^C0160E: .*ambiguous/);
    expect(ambiguous.body.errors[0].extensions.code).toBe('C0160E');
    expect(s.customers().every((customer) => customer.firstName === null)).toBe(true);
    expect(s.stats().updates).toBe(0);
  });

  it('refuses an over-long value and leaves the customer as it was', async () => {
    const s = await start();
    await postGraphql(s, fixture.token, CREATE, createInput('jane', '1', { firstName: 'Jane' }));
    const reply = await postGraphql(s, fixture.token, UPDATE, {
      input: { username: 'jane', firstName: 'Janet', primaryPhone: '+1'.padEnd(21, '5') },
    });
    expect(reply.body.errors[0].message).toMatch(/primaryPhone.*20/);
    expect(s.customers()[0]?.firstName).toBe('Jane');
  });

  it('has no department, retailer or id in its input, as Fluent’s docs say', async () => {
    const s = await start();
    await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    const reply = await postGraphql(s, fixture.token, UPDATE, { input: { username: 'jane', department: 'Sales' } });
    expect(reply.status).toBe(200);
    expect(reply.body.errors[0].message).toContain('department');
    expect(reply.body.data).toBeUndefined();
  });
});

describe('customers query', () => {
  it('holds 10 per page without `first`, and pages on with the last cursor', async () => {
    const s = await start({ seed: seedOf(25) });
    const seen: string[] = [];
    const pages: boolean[] = [];
    let after: string | undefined;
    for (;;) {
      const reply = await postGraphql(s, fixture.token, FIND, after === undefined ? {} : { after });
      const { edges, pageInfo } = reply.body.data.customers;
      seen.push(...edges.map((edge: { node: { id: string } }) => edge.node.id));
      pages.push(pageInfo.hasNextPage);
      expect(pageInfo.hasPreviousPage).toBe(after !== undefined);
      if (!pageInfo.hasNextPage) break;
      after = edges.at(-1).cursor;
    }
    expect(pages).toEqual([true, true, false]);
    expect(seen).toEqual(Array.from({ length: 25 }, (_, index) => String(index + 1)));
    const all = await postGraphql(s, fixture.token, FIND, { first: 100 });
    expect(all.body.data.customers.edges).toHaveLength(25);
    expect(all.body.data.customers.pageInfo.hasNextPage).toBe(false);
  });

  it('ORs the values within a list and ANDs different arguments, matching exactly', async () => {
    const s = await start({ seed: seedOf(5) });
    const usernamesOf = (reply: { body: { data: { customers: { edges: { node: { username: string } }[] } } } }) =>
      reply.body.data.customers.edges.map((edge) => edge.node.username);
    const ored = await postGraphql(s, fixture.token, FIND, { username: ['user04', 'user02', 'nobody', 'USER01'] });
    expect(usernamesOf(ored)).toEqual(['user02', 'user04']);
    const anded = await postGraphql(s, fixture.token, FIND, {
      username: ['user02', 'user04'],
      primaryEmail: ['user4@example.com'],
    });
    expect(usernamesOf(anded)).toEqual(['user04']);
    const byRef = await postGraphql(s, fixture.token, FIND, { ref: ['user03'] });
    expect(usernamesOf(byRef)).toEqual(['user03']);
  });

  it('finds a username under every retailer that holds it', async () => {
    const s = await start({ seed: [...seedOf(2, '1'), ...seedOf(1, '2')] });
    const reply = await postGraphql(s, fixture.token, FIND, { username: ['user01'] });
    const retailers = reply.body.data.customers.edges.map(
      (edge: { node: { retailer: { id: string } } }) => edge.node.retailer.id,
    );
    expect(retailers).toEqual(['1', '2']);
  });

  it('pages a filtered list with `first` and `after`', async () => {
    const s = await start({ seed: seedOf(12) });
    const usernames = ['user01', 'user03', 'user05', 'user07', 'user09', 'user11'];
    const first = await postGraphql(s, fixture.token, FIND, { username: usernames, first: 4 });
    expect(first.body.data.customers.edges).toHaveLength(4);
    expect(first.body.data.customers.pageInfo.hasNextPage).toBe(true);
    const after = first.body.data.customers.edges[3].cursor;
    const second = await postGraphql(s, fixture.token, FIND, { username: usernames, first: 4, after });
    expect(second.body.data.customers.edges.map((edge: { node: { username: string } }) => edge.node.username)).toEqual([
      'user09',
      'user11',
    ]);
    expect(second.body.data.customers.pageInfo).toEqual({ hasNextPage: false, hasPreviousPage: true });
  });

  it('answers a bad cursor with an error in errors[]', async () => {
    const s = await start({ seed: seedOf(3) });
    const reply = await postGraphql(s, fixture.token, FIND, { after: 'garbage' });
    expect(reply.status).toBe(200);
    expect(reply.body.errors[0].message).toContain('cursor');
  });

  it('resolves customer(ref), customerById(id) and the retailer', async () => {
    const s = await start({ seed: [{ retailerId: '9', username: 'jane', id: '41', firstName: 'Jane' }] });
    const reply = await postGraphql(
      s,
      fixture.token,
      `query($ref: String!, $id: ID!) {
        byRef: customer(ref: $ref) { id firstName retailer { id ref } }
        byId: customerById(id: $id) { username }
        none: customerById(id: "999") { id }
      }`,
      { ref: 'jane', id: '41' },
    );
    expect(reply.body.errors).toBeUndefined();
    expect(reply.body.data.byRef).toMatchObject({ id: '41', firstName: 'Jane', retailer: { id: '9' } });
    expect(reply.body.data.byId).toEqual({ username: 'jane' });
    expect(reply.body.data.none).toBeNull();
    const created = await postGraphql(s, fixture.token, CREATE, createInput('next', '9'));
    expect(created.body.data.createCustomer.id).toBe('42');
  });
});

describe('the GraphQL endpoint', () => {
  it('answers a document that fails validation with HTTP 200 and errors[]', async () => {
    const s = await start();
    const reply = await postGraphql(s, fixture.token, '{ customers { edges { node { favouriteColour } } } }');
    expect(reply.status).toBe(200);
    expect(reply.body.errors[0].message).toContain('favouriteColour');
    const syntax = await postGraphql(s, fixture.token, '{ customers { ');
    expect(syntax.status).toBe(200);
    expect(syntax.body.errors[0].message).toContain('Syntax Error');
  });

  it('answers malformed JSON with 400', async () => {
    const s = await start();
    const response = await fetch(`${s.url}/graphql`, {
      method: 'POST',
      headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/json' },
      body: '{"query": ',
    });
    expect(response.status).toBe(400);
  });

  it('answers a body over 2 MB with 413 and takes one of exactly 2 MB', async () => {
    const s = await start();
    const envelope = JSON.stringify({ query: FIND, variables: { username: [''] } });
    const padded = JSON.stringify({
      query: FIND,
      variables: { username: ['x'.repeat(2 * 1024 * 1024 - envelope.length)] },
    });
    expect(Buffer.byteLength(padded)).toBe(2 * 1024 * 1024);
    const send = (body: string) =>
      fetch(`${s.url}/graphql`, {
        method: 'POST',
        headers: { authorization: `Bearer ${fixture.token}`, 'content-type': 'application/json' },
        body,
      });
    const fits = await send(padded);
    expect(fits.status).toBe(200);
    await fits.text();
    const over = await send(`${padded} `);
    expect(over.status).toBe(413);
    await over.text();
    expect(s.stats().tooLarge).toBe(1);
  });
});
