/**
 * Protocol edge cases the sandbox cannot produce, against tiny purpose-built servers on 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  OmsUnreachableError,
} from '../../src/fluent/errors.js';
import { graphqlRequests, noWait, TOKEN_LOGIN as token, useFluentFixtures } from './fixtures.js';
import { findClosedPort, sendJson } from './stubServer.js';

const fx = useFluentFixtures();
const customerNode = (username: string) => ({
  id: '1',
  ref: username,
  username,
  title: null,
  firstName: 'Ann',
  lastName: null,
  primaryEmail: 'a@example.com',
  primaryPhone: null,
  timezone: null,
  promotionOptIn: false,
  department: null,
  country: null,
  status: 'ACTIVE',
  retailer: { id: '7' },
});
const createInput = {
  username: '7_a@example.com',
  primaryEmail: 'a@example.com',
  promotionOptIn: false,
  retailer: { id: '7' },
};

describe('createFluentClient on the wire', () => {
  it('sends variables, the operation name, the bearer token and the fluent.account header', async () => {
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') return sendJson(response, 200, { access_token: 'tok-1', expires_in: 3600 });
      sendJson(response, 200, { data: { customers: { edges: [], pageInfo: { hasNextPage: false } } } });
    });
    const client = fx.client(stub.url, { accountId: 'ACME', ...noWait(0) });
    expect(await client.findCustomers(['7_a@example.com', '7_a@example.com', '8_b@example.com'])).toEqual([]);

    const [grant] = stub.requests;
    expect(grant?.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(grant?.body))).toEqual({
      grant_type: 'password',
      scope: 'api',
      client_id: 'cid-7Q2',
      client_secret: 'csecret-9XK',
      username: 'api-user-4LM',
      password: 'pw-8ZT',
    });
    const [lookup] = graphqlRequests(stub);
    expect(lookup?.headers.authorization).toBe('Bearer tok-1');
    expect(lookup?.headers['fluent.account']).toBe('ACME');
    const body = JSON.parse(lookup?.body ?? '{}');
    expect(body.operationName).toBe('FindCustomers');
    expect(body.variables).toEqual({ usernames: ['7_a@example.com', '8_b@example.com'], first: 100 });
    expect(body.query).not.toContain('7_a@example.com');
  });

  it('treats a mutation whose answer never comes as ambiguous and does not resend it', async () => {
    const stub = await fx.stub(() => {
      // Swallow the request: the mutation may have been applied, the answer is lost.
    });
    const client = fx.client(stub.url, { credentials: token, requestTimeoutMs: 200, ...noWait(0) });
    await expect(client.createCustomer(createInput)).rejects.toBeInstanceOf(AmbiguousMutationError);
    expect(graphqlRequests(stub)).toHaveLength(1);
  });

  it('retries a query whose answer never came', async () => {
    const stub = await fx.stub((_request, response) => {
      if (graphqlRequests(stub).length === 1) return; // the first one hangs
      sendJson(response, 200, { data: { customers: { edges: [], pageInfo: { hasNextPage: false } } } });
    });
    const client = fx.client(stub.url, { credentials: token, requestTimeoutMs: 200, ...noWait(0) });
    expect(await client.findCustomers(['x'])).toEqual([]);
    expect(client.stats()).toMatchObject({ graphql: 2, retries: 1 });
  });

  it('retries a mutation whose connection never opened, then gives up naming the host', async () => {
    const port = await findClosedPort();
    const retries: number[] = [];
    const client = fx.client(`http://127.0.0.1:${port}`, {
      credentials: token,
      maxAttempts: 4,
      onRetry: (event) => retries.push(event.attempt),
      ...noWait(0),
    });
    const error = await client.createCustomer(createInput).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OmsUnreachableError);
    expect((error as Error).message).toContain(`127.0.0.1:${port}`);
    expect((error as Error).message).toContain('ECONNREFUSED');
    expect((error as OmsUnreachableError).exitCode).toBe(3);
    expect(retries).toEqual([1, 2, 3]);
    expect(client.stats()).toMatchObject({ graphql: 4, retries: 3 });
  });

  it('a query to a closed port ends OmsUnreachableError after maxAttempts', async () => {
    const port = await findClosedPort();
    const client = fx.client(`http://127.0.0.1:${port}`, { credentials: token, maxAttempts: 3, ...noWait(0) });
    await expect(client.findCustomers(['x'])).rejects.toBeInstanceOf(OmsUnreachableError);
    expect(client.stats().graphql).toBe(3);
  });

  it('falls back to the password grant when the refresh token is refused', async () => {
    let time = 1_000_000;
    let grants = 0;
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') {
        const form = new URLSearchParams(request.body);
        if (form.get('grant_type') === 'refresh_token') return sendJson(response, 400, { error: 'invalid_grant' });
        grants += 1;
        return sendJson(response, 200, { access_token: `tok-${grants}`, expires_in: 120, refresh_token: 'refresh-1' });
      }
      sendJson(response, 200, { data: { customers: { edges: [], pageInfo: { hasNextPage: false } } } });
    });
    const client = fx.client(stub.url, { now: () => time, ...noWait(0) });
    await client.findCustomers(['x']);
    time += 95_000; // 25 s left: less than min(60 s, 120 s / 4) = 30 s
    await client.findCustomers(['x']);

    const grantTypes = stub.requests
      .filter((r) => r.path === '/oauth/token')
      .map((r) => new URLSearchParams(r.body).get('grant_type'));
    expect(grantTypes).toEqual(['password', 'refresh_token', 'password']);
    const refresh = new URLSearchParams(stub.requests.find((r) => r.body.includes('refresh_token='))?.body);
    expect(refresh.get('refresh_token')).toBe('refresh-1');
    expect(graphqlRequests(stub).map((r) => r.headers.authorization)).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(client.stats().tokenGrants).toBe(2);
  });

  it('keeps using a token that is not near its expiry', async () => {
    let time = 0;
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') return sendJson(response, 200, { access_token: 'tok', expires_in: 3600 });
      sendJson(response, 200, { data: { customers: { edges: [], pageInfo: { hasNextPage: false } } } });
    });
    const client = fx.client(stub.url, { now: () => time, ...noWait(0) });
    await client.findCustomers(['x']);
    time += 3_500_000; // 100 s left, more than 60 s
    await client.findCustomers(['x']);
    expect(client.stats().tokenGrants).toBe(1);
    time += 50_000; // 50 s left
    await client.findCustomers(['x']);
    expect(client.stats().tokenGrants).toBe(2);
  });

  it('a FLUENT_ACCESS_TOKEN answered 401 is refused credentials, with no secret in the message', async () => {
    const stub = await fx.stub((_request, response) => sendJson(response, 401, { error: 'unauthorized' }));
    const client = fx.client(stub.url, { credentials: token, ...noWait(0) });
    const error = await client.findCustomers(['x']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as Error).message).toContain('FLUENT_ACCESS_TOKEN');
    expect((error as Error).message).not.toContain('static-token-5RB');
    expect(graphqlRequests(stub)).toHaveLength(1);
  });

  it('turns GraphQL errors sent with HTTP 400 into FluentDataError with Fluent’s message', async () => {
    const stub = await fx.stub((_request, response) =>
      sendJson(response, 400, { errors: [{ message: 'Variable input got invalid value' }, { message: 'second' }] }),
    );
    const client = fx.client(stub.url, { credentials: token, ...noWait(0) });
    const error = await client.createCustomer(createInput).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    expect((error as Error).message).toBe('Variable input got invalid value; second');
    expect((error as FluentDataError).alreadyExists).toBe(false);
  });

  it('a 413 is a permanent data error, not retried', async () => {
    const stub = await fx.stub((_request, response) => sendJson(response, 413, {}));
    const client = fx.client(stub.url, { credentials: token, ...noWait(0) });
    await expect(client.createCustomer(createInput)).rejects.toBeInstanceOf(FluentDataError);
    expect(graphqlRequests(stub)).toHaveLength(1);
  });

  it('stops paging with an error rather than looping when Fluent gives no cursor', async () => {
    const stub = await fx.stub((_request, response) =>
      sendJson(response, 200, {
        data: { customers: { edges: [{ cursor: null, node: customerNode('x') }], pageInfo: { hasNextPage: true } } },
      }),
    );
    const client = fx.client(stub.url, { credentials: token, ...noWait(0) });
    await expect(client.findCustomers(['x'])).rejects.toBeInstanceOf(FluentDataError);
  });

  it('keeps the path of an API host given with one', async () => {
    const stub = await fx.stub((_request, response) =>
      sendJson(response, 200, { data: { createCustomer: customerNode('7_a@example.com') } }),
    );
    const client = fx.client(`${stub.url}/prefix/`, { credentials: token, ...noWait(0) });
    const created = await client.createCustomer(createInput);
    expect(created).toMatchObject({ username: '7_a@example.com', retailerId: '7', firstName: 'Ann', lastName: null });
    expect(stub.requests[0]?.path).toBe('/prefix/graphql');
  });
});
