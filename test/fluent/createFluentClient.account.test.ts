/**
 * Who the login is and which retailers exist, for a preflight: answers, refusals that come back as findings
 * (`ok: false`), and failures that still stop (unreachable host, refused credentials).
 */
import { buildSchema, parse, validate } from 'graphql';
import { describe, expect, it } from 'vitest';
import { type FluentClientOptions, MAX_RETAILERS } from '../../src/fluent/createFluentClient.js';
import { FIND_RETAILER, LIST_RETAILERS, READ_LOGIN } from '../../src/fluent/documents.js';
import { CredentialsRefusedError, OmsUnreachableError } from '../../src/fluent/errors.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import { readFluentSchema } from '../helpers/fluentSchema.js';
import { graphqlRequests, noWait, type StubAnswer, useFluentFixtures } from './fixtures.js';
import { findClosedPort, operationOf, type StubRequest, sendJson } from './stubServer.js';

const fx = useFluentFixtures();

/** A Fluent that grants `tok-N` and answers every GraphQL request with `answer(request)`: [status, body]. */
async function setUp(answer: (request: StubRequest) => StubAnswer, clientOptions: Partial<FluentClientOptions> = {}) {
  const stub = await fx.fluent(answer);
  return { stub, client: fx.client(stub.url, { ...noWait(0), ...clientOptions }) };
}

describe('authenticate', () => {
  it('obtains a token before any lookup, which the lookup then uses', async () => {
    const { stub, client } = await setUp(() => [200, { data: { retailerById: null } }]);
    await client.authenticate();
    expect(stub.requests.map((r) => r.path)).toEqual(['/oauth/token']);
    await client.findRetailer('1');
    expect(stub.requests.map((r) => r.path)).toEqual(['/oauth/token', '/graphql']);
    expect(client.stats().tokenGrants).toBe(1);
  });

  it('throws refused credentials', async () => {
    const stub = await fx.stub((_request, response) => sendJson(response, 401, { error: 'invalid_grant' }));
    const client = fx.client(stub.url, noWait(0));
    await expect(client.authenticate()).rejects.toBeInstanceOf(CredentialsRefusedError);
  });
});

describe('readLogin', () => {
  it('reads the login’s roles, permissions and contexts, context types lower-cased', async () => {
    const { stub, client } = await setUp(() => [
      200,
      {
        data: {
          me: {
            id: 5001,
            username: 'api-user-9EX',
            roles: [
              {
                role: {
                  name: 'CUSTOMER_ADMIN',
                  permissions: [{ name: 'CUSTOMER_VIEW' }, null, { name: 'CUSTOMER_CREATE' }],
                },
                contexts: [
                  { contextType: 'ACCOUNT', contextId: 'ACME' },
                  { contextType: 'Retailer', contextId: 2 },
                ],
              },
              null,
              { role: { name: 'STORE', permissions: null }, contexts: [{ contextType: 'location', contextId: '9' }] },
            ],
          },
        },
      },
    ]);
    expect(await client.readLogin()).toEqual({
      ok: true,
      login: {
        id: '5001',
        username: 'api-user-9EX',
        roles: [
          {
            name: 'CUSTOMER_ADMIN',
            permissions: ['CUSTOMER_VIEW', 'CUSTOMER_CREATE'],
            contexts: [
              { type: 'account', id: 'ACME' },
              { type: 'retailer', id: '2' },
            ],
          },
          { name: 'STORE', permissions: [], contexts: [{ type: 'location', id: '9' }] },
        ],
      },
    });
    const [request] = graphqlRequests(stub);
    expect(request && JSON.parse(request.body)).toEqual({
      query: READ_LOGIN,
      variables: {},
      operationName: 'ReadLogin',
    });
  });

  it('is a finding, not a stopped run, when the login may not read itself (C0020E)', async () => {
    const { client } = await setUp(() => [200, { errors: [{ message: 'C0020E: Insufficient permissions' }] }]);
    const answer = await client.readLogin();
    expect(answer.ok).toBe(false);
    expect(answer.ok === false && answer.reason).toBe(
      'the login may not read who the login is (C0020E: Insufficient permissions)',
    );
  });

  it('is a finding when Fluent answers a 403', async () => {
    const { client } = await setUp(() => [403, {}]);
    expect(await client.readLogin()).toEqual({
      ok: false,
      reason: 'the login may not read who the login is (HTTP 403)',
    });
  });

  it('is a finding when me is null', async () => {
    const { client } = await setUp(() => [200, { data: { me: null } }]);
    expect(await client.readLogin()).toEqual({
      ok: false,
      reason: 'Fluent answered no login for this token (me is null)',
    });
  });

  it('is a finding when the schema has no me (a GraphQL validation error)', async () => {
    // A Fluent whose schema is the customer part alone, validating like any GraphQL server.
    const customerOnly = buildSchema(readFluentSchema());
    const { client } = await setUp((request) => {
      const errors = validate(customerOnly, parse(String(JSON.parse(request.body).query)));
      return [400, { errors: errors.map((error) => ({ message: error.message })) }];
    });
    const answer = await client.readLogin();
    expect(answer.ok).toBe(false);
    expect(answer.ok === false && answer.reason).toBe(
      'Fluent cannot read who the login is: Cannot query field "me" on type "Query".',
    );
  });

  it('masks a token the server echoes into its refusal', async () => {
    const scrubber = createScrubber();
    const { client } = await setUp(
      (request) => [
        200,
        { errors: [{ message: `C0020E: token ${request.headers.authorization} may not read users` }] },
      ],
      { scrubber },
    );
    expect(await client.readLogin()).toEqual({
      ok: false,
      reason: 'the login may not read who the login is (C0020E: token Bearer *** may not read users)',
    });
  });

  it('still throws when the credentials are refused', async () => {
    const { client } = await setUp(() => [401, { error: 'invalid_token' }]);
    await expect(client.readLogin()).rejects.toBeInstanceOf(CredentialsRefusedError);
  });

  it('still throws when Fluent cannot be reached', async () => {
    const port = await findClosedPort();
    const client = fx.client(`http://127.0.0.1:${port}`, { maxAttempts: 2, ...noWait(0) });
    await expect(client.readLogin()).rejects.toBeInstanceOf(OmsUnreachableError);
  });
});

describe('findRetailer', () => {
  const retailer = { id: 2, ref: 'RET-2', status: 'ACTIVE', tradingName: 'Acme Outlet' };

  it('finds a retailer by id, sent as a variable', async () => {
    const { stub, client } = await setUp((request) => {
      const { variables } = operationOf(request);
      return [200, { data: { retailerById: variables?.id === '2' ? retailer : null } }];
    });
    expect(await client.findRetailer('2')).toEqual({
      ok: true,
      retailer: { id: '2', ref: 'RET-2', status: 'ACTIVE', tradingName: 'Acme Outlet' },
    });
    expect(await client.findRetailer('3')).toEqual({ ok: true, retailer: null });
    const [first] = graphqlRequests(stub);
    expect(first && JSON.parse(first.body)).toEqual({
      query: FIND_RETAILER,
      variables: { id: '2' },
      operationName: 'FindRetailer',
    });
  });

  it('reads Fluent’s “not found” error (C0120E) as no retailer', async () => {
    const { client } = await setUp(() => [200, { errors: [{ message: 'C0120E: Retailer not found' }] }]);
    expect(await client.findRetailer('99')).toEqual({ ok: true, retailer: null });
  });

  it('is a finding when the login may not view retailers', async () => {
    const { client } = await setUp(() => [200, { errors: [{ message: 'x', extensions: { code: 'C0020E' } }] }]);
    expect(await client.findRetailer('2')).toEqual({ ok: false, reason: 'the login may not look retailer 2 up (x)' });
  });
});

describe('listRetailers', () => {
  /** A Fluent with `count` retailers, paged by first/after like its other connections (or endlessly). */
  function retailerPages(count: number) {
    return (request: StubRequest): [number, unknown] => {
      const { variables } = operationOf(request);
      const start = variables?.after === undefined ? 0 : Number(variables.after);
      const first = Number(variables?.first);
      const ids = Array.from({ length: Math.max(0, Math.min(first, count - start)) }, (_, i) => start + i + 1);
      return [
        200,
        {
          data: {
            retailers: {
              edges: ids.map((id) => ({
                cursor: String(id),
                node: { id, ref: `R${id}`, status: 'ACTIVE', tradingName: null },
              })),
              pageInfo: { hasNextPage: start + ids.length < count },
            },
          },
        },
      ];
    };
  }

  it('pages to the end', async () => {
    const { stub, client } = await setUp(retailerPages(450));
    const answer = await client.listRetailers();
    expect(answer.ok && answer.retailers.map((r) => r.id)).toEqual(
      Array.from({ length: 450 }, (_, i) => String(i + 1)),
    );
    expect(answer.ok && answer.truncated).toBe(false);
    expect(answer.ok && answer.retailers[449]).toEqual({ id: '450', ref: 'R450', status: 'ACTIVE', tradingName: null });
    const pages = graphqlRequests(stub).map((r) => JSON.parse(r.body));
    expect(pages).toHaveLength(3);
    expect(pages[0]).toEqual({ query: LIST_RETAILERS, variables: { first: 200 }, operationName: 'ListRetailers' });
    expect(pages[1].variables).toEqual({ first: 200, after: '200' });
  });

  it('stops at MAX_RETAILERS and says the list is truncated', async () => {
    const { stub, client } = await setUp(retailerPages(1_000_000));
    const answer = await client.listRetailers();
    expect(answer.ok && answer.retailers).toHaveLength(MAX_RETAILERS);
    expect(answer.ok && answer.truncated).toBe(true);
    expect(graphqlRequests(stub).length).toBeLessThanOrEqual(Math.ceil(MAX_RETAILERS / 200));
  });

  it('is a finding when Fluent pages without a cursor that moves on', async () => {
    const { client } = await setUp(() => [
      200,
      {
        data: {
          retailers: { edges: [{ cursor: 'same', node: { id: 1, ref: 'R1' } }], pageInfo: { hasNextPage: true } },
        },
      },
    ]);
    expect(await client.listRetailers()).toEqual({
      ok: false,
      reason: 'Fluent said more retailers follow but gave no new cursor to page with',
    });
  });

  it('is a finding when the login may not list retailers', async () => {
    const { client } = await setUp(() => [401, { errors: [{ message: 'C0020E: Missing permission RETAILER_VIEW' }] }]);
    expect(await client.listRetailers()).toEqual({
      ok: false,
      reason: 'the login may not list the retailers (HTTP 401: C0020E: Missing permission RETAILER_VIEW)',
    });
  });
});
