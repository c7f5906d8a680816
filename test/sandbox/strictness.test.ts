import { describe, expect, it } from 'vitest';
import { CREATE, createInput, FIND, onlyError, postGraphql, UPDATE, usernamesOf } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const fixture = useSandbox();
const { start } = fixture;

const seed = [
  { retailerId: '1', username: '1_jane@example.com' },
  { retailerId: '2', username: '1_JANE@example.com' },
  { retailerId: '1', username: '1xjane@example.com' },
  { retailerId: '1', username: '1_janet@example.com' },
  { retailerId: '3', username: 'Bob', ref: 'REF-Bob' },
];

describe('lookup matching', () => {
  it('is exact by default', async () => {
    const s = await start({ seed });
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['1_jane@example.com'] }))).toEqual([
      '1_jane@example.com',
    ]);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['bob'] }))).toEqual([]);
    expect(s.settings().lookupMatch).toBe('exact');
  });

  it('ci: finds every case variant of a username or ref, under every retailer', async () => {
    const s = await start({ seed, lookupMatch: 'ci' });
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['1_Jane@Example.com'] }))).toEqual([
      '1_jane@example.com',
      '1_JANE@example.com',
    ]);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['bob'] }))).toEqual(['Bob']);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { ref: ['ref-bob'] }))).toEqual(['Bob']);
    // Other filters still match exactly, and AND with the username.
    const anded = await postGraphql(s, fixture.token, FIND, {
      username: ['1_jane@example.com'],
      primaryEmail: ['x@y'],
    });
    expect(usernamesOf(anded)).toEqual([]);
  });

  it('like: `_` stands for any one character and `%` for any run, without regard to case', async () => {
    const s = await start({ seed, lookupMatch: 'like' });
    // A username holding `_` also finds its look-alikes: the client must check what comes back.
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['1_jane@example.com'] }))).toEqual([
      '1_jane@example.com',
      '1_JANE@example.com',
      '1xjane@example.com',
    ]);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['1_jane%'] }))).toEqual([
      '1_jane@example.com',
      '1_JANE@example.com',
      '1xjane@example.com',
      '1_janet@example.com',
    ]);
    // Other characters are literal, regular-expression ones included.
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { username: ['1.jane@example.com'] }))).toEqual([]);
    expect(usernamesOf(await postGraphql(s, fixture.token, FIND, { ref: ['ref-%'] }))).toEqual(['Bob']);
  });
});

describe('username uniqueness', () => {
  it('with uniqueCi, refuses a case variant of a username of the same retailer as already existing', async () => {
    const s = await start({ seed, uniqueCi: true });
    const refused = await postGraphql(s, fixture.token, CREATE, createInput('1_Jane@Example.COM', '1'));
    expect(refused.body.data.createCustomer).toBeNull();
    expect(onlyError(refused)).toEqual({
      code: 'C0123E',
      message: "C0123E: Customer with username '1_Jane@Example.COM' already exists for retailer 1",
    });
    // Another retailer is another namespace, as without the setting.
    expect(
      (await postGraphql(s, fixture.token, CREATE, createInput('1_Jane@Example.COM', '3'))).body.errors,
    ).toBeUndefined();
    expect(s.customers()).toHaveLength(seed.length + 1);
  });

  it('without it, a case variant is another customer', async () => {
    const s = await start({ seed });
    expect(
      (await postGraphql(s, fixture.token, CREATE, createInput('1_Jane@Example.COM', '1'))).body.errors,
    ).toBeUndefined();
    const exact = await postGraphql(s, fixture.token, CREATE, createInput('1_jane@example.com', '1'));
    expect(onlyError(exact).code).toBe('C0123E');
    expect(onlyError(exact).message).toMatch(/^C0123E: Customer with username '1_jane@example.com' already exists/);
  });
});

describe('attributes', () => {
  const ATTRIBUTES = `query($ref: String!) { customer(ref: $ref) { attributes { name type value } } }`;

  it('keeps the list given on create and replaces it on update', async () => {
    const s = await start();
    const created = await postGraphql(
      s,
      fixture.token,
      CREATE,
      createInput('jane', '1', {
        attributes: [
          { name: 'legacyCrmId', type: 'STRING', value: 'C-1' },
          { name: 'loyaltyTier', type: 'STRING', value: 'gold' },
        ],
      }),
    );
    expect(created.body.errors).toBeUndefined();
    const attributesOf = async () =>
      (await postGraphql(s, fixture.token, ATTRIBUTES, { ref: 'jane' })).body.data.customer;
    expect((await attributesOf()).attributes).toEqual([
      { name: 'legacyCrmId', type: 'STRING', value: 'C-1' },
      { name: 'loyaltyTier', type: 'STRING', value: 'gold' },
    ]);
    const updated = await postGraphql(s, fixture.token, UPDATE, {
      input: { username: 'jane', attributes: [{ name: 'legacyCrmId', type: 'STRING', value: 'C-2' }] },
    });
    expect(updated.body.errors).toBeUndefined();
    // loyaltyTier was not sent, so it is gone: a client must send the whole list.
    expect((await attributesOf()).attributes).toEqual([{ name: 'legacyCrmId', type: 'STRING', value: 'C-2' }]);
    // An update without attributes leaves them alone.
    await postGraphql(s, fixture.token, UPDATE, { input: { username: 'jane', firstName: 'Jane' } });
    expect((await attributesOf()).attributes).toEqual([{ name: 'legacyCrmId', type: 'STRING', value: 'C-2' }]);
  });
});

describe('rate limiting as an error', () => {
  it('answers HTTP 200 with C0011E where it would answer 429, and applies nothing', async () => {
    let clock = 1_000_000;
    const s = await start({ now: () => clock, rateLimitAsError: true, faults: { rateLimitPerSecond: 1 } });
    expect((await postGraphql(s, fixture.token, FIND)).body.errors).toBeUndefined();
    const limited = await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    expect(limited.status).toBe(200);
    expect(limited.headers.get('retry-after')).toBeNull();
    expect(limited.body.data).toBeNull();
    expect(onlyError(limited)).toEqual({
      code: 'C0011E',
      message: expect.stringMatching(/^C0011E: Rate limit exceeded/),
    });
    clock += 1_000;
    expect((await postGraphql(s, fixture.token, FIND)).body.errors).toBeUndefined();
    expect(s.customers()).toEqual([]);
    expect(s.stats()).toMatchObject({ rateLimited: 1, mutations: 0 });
  });

  it('answers the random-429 fault the same way', async () => {
    const s = await start({ rateLimitAsError: true, faults: { random429Rate: 1 } });
    const limited = await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    expect(limited.status).toBe(200);
    expect(onlyError(limited).code).toBe('C0011E');
    expect(s.customers()).toEqual([]);
  });

  it('answers 429 with C0011E in the body without the setting', async () => {
    const s = await start({ faults: { random429Rate: 1 } });
    const limited = await postGraphql(s, fixture.token, FIND);
    expect(limited.status).toBe(429);
    expect(onlyError(limited).code).toBe('C0011E');
  });
});

describe('Fluent’s error codes', () => {
  it('stand at the start of every error message and in extensions.code', async () => {
    // graphql-js names each missing field of an input in an error of its own: each carries C0140E.
    const s = await start({ seed: [{ retailerId: '1', username: 'taken' }] });
    const cases: [code: string, query: string, variables: Record<string, unknown>][] = [
      ['C0123E', CREATE, createInput('taken')],
      ['C0120E', UPDATE, { input: { username: 'ghost', firstName: 'X' } }],
      ['C0120E', CREATE, createInput('new', '404')],
      ['C0141E', CREATE, createInput('long', '1', { firstName: 'x'.repeat(51) })],
      ['C0160E', CREATE, createInput('', '1')],
      ['C0160E', FIND, { after: 'not-a-cursor' }],
      ['C0160E', '{ customers { edges { node { favouriteColour } } } }', {}],
      ['C0160E', '{ customers { ', {}],
      ['C0140E', CREATE, { input: { username: 'no-email' } }],
    ];
    for (const [code, query, variables] of cases) {
      const reply = await postGraphql(s, fixture.token, query, variables);
      expect(reply.status).toBe(200);
      expect(reply.body.errors.length).toBeGreaterThan(0);
      for (const error of reply.body.errors) {
        expect(error.extensions.code, error.message).toBe(code);
        expect(error.message.startsWith(`${code}: `), error.message).toBe(true);
      }
    }
    expect(s.customers().map((customer) => customer.username)).toEqual(['taken']);
  });

  it('mark the refuse-mutation fault as a validation failure and a 5xx body as a server failure', async () => {
    const s = await start({ faults: { refuseMutationRate: 1 } });
    expect(onlyError(await postGraphql(s, fixture.token, CREATE, createInput('jane'))).code).toBe('C0160E');
    s.setFaults({ random5xxRate: 1, seed: 3 });
    const codes = new Set<string>();
    for (let attempt = 0; attempt < 8; attempt++) {
      const reply = await postGraphql(s, fixture.token, FIND);
      expect(reply.status).toBeGreaterThanOrEqual(500);
      // Gateways answer some 5xx with HTML; the JSON ones carry a code.
      if (reply.body !== undefined) codes.add(onlyError(reply).code);
    }
    expect([...codes]).toEqual(['S0002E']);
  });
});
