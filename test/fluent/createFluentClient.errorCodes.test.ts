/**
 * Fluent's error codes decide what the client does, wherever they stand (extensions.code or the message) and
 * whatever the HTTP status (often 200): retry, resolve by lookup, stop the run, or give the row up.
 */
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import type { FluentClient, FluentClientOptions, RetryEvent } from '../../src/fluent/createFluentClient.js';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  OmsUnreachableError,
  PermissionDeniedError,
} from '../../src/fluent/errors.js';
import { grantRequests as grantsOf, graphqlRequests, PASSWORD_LOGIN, useFluentFixtures } from './fixtures.js';
import { sendToken } from './stubServer.js';

const fx = useFluentFixtures();

const customer = {
  id: '41',
  ref: '7_a@example.com',
  username: '7_a@example.com',
  title: null,
  firstName: null,
  lastName: null,
  primaryEmail: 'a@example.com',
  primaryPhone: null,
  timezone: null,
  promotionOptIn: false,
  department: null,
  country: null,
  status: 'ACTIVE',
  retailer: { id: '7' },
};

/** The three customer operations, each with the answer Fluent gives when it succeeds. */
const operations = {
  FindCustomers: {
    kind: 'query',
    call: (c: FluentClient) => c.findCustomers(['7_a@example.com']),
    data: { customers: { edges: [{ cursor: 'c1', node: customer }], pageInfo: { hasNextPage: false } } },
  },
  CreateCustomer: {
    kind: 'mutation',
    call: (c: FluentClient) =>
      c.createCustomer({
        username: '7_a@example.com',
        primaryEmail: 'a@example.com',
        promotionOptIn: false,
        retailer: { id: '7' },
      }),
    data: { createCustomer: customer },
  },
  UpdateCustomer: {
    kind: 'mutation',
    call: (c: FluentClient) => c.updateCustomer({ username: '7_a@example.com', firstName: 'Ann' }),
    data: { updateCustomer: customer },
  },
} as const;
type OperationName = keyof typeof operations;

/** One GraphQL error as Fluent may word it: the code in extensions, or only in the message. */
function fluentError(code: string, where: 'extensions' | 'message', text = 'something went wrong') {
  return where === 'extensions' ? { message: text, extensions: { code } } : { message: `${code}: ${text}` };
}

/**
 * A Fluent whose first `failures` GraphQL answers are `failure` (HTTP `status`, default 200), and which then
 * answers the operation's success data.
 */
async function setUp(
  operation: OperationName,
  failure: { status?: number; body: unknown; headers?: Record<string, string> },
  failures = Number.POSITIVE_INFINITY,
  clientOptions: Partial<FluentClientOptions> = {},
) {
  let answered = 0;
  const stub = await fx.fluent(() => {
    answered += 1;
    if (answered <= failures) return [failure.status ?? 200, failure.body, failure.headers];
    return [200, { data: operations[operation].data }];
  });
  return { stub, client: fx.client(stub.url, clientOptions) };
}

async function failureOf(promise: Promise<unknown>): Promise<unknown> {
  return promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error,
  );
}

describe('transient codes: C0011E (rate limit) and C0003E, retried like a 429', () => {
  const cases = [
    { code: 'C0011E', where: 'extensions', rateLimited: true },
    { code: 'C0011E', where: 'message', rateLimited: true },
    { code: 'C0003E', where: 'message', rateLimited: false },
    { code: 'C0003E', where: 'extensions', rateLimited: false },
  ] as const;
  for (const { code, where, rateLimited } of cases) {
    for (const operation of ['FindCustomers', 'CreateCustomer', 'UpdateCustomer'] as const) {
      it(`${code} in ${where} inside HTTP 200 to ${operation}: retried, then done`, async () => {
        const retries: RetryEvent[] = [];
        const { stub, client } = await setUp(operation, { body: { errors: [fluentError(code, where)] } }, 2, {
          onRetry: (event) => retries.push(event),
        });
        await expect(operations[operation].call(client)).resolves.toBeDefined();
        expect(graphqlRequests(stub)).toHaveLength(3);
        expect(client.stats()).toMatchObject({ graphql: 3, retries: 2, rateLimited: rateLimited ? 2 : 0 });
        // Backed off, with growing ceilings: for the rate 1 s, then 2 s, at least half of each (a penalty box may
        // hold); otherwise 250 ms, then 500 ms, full jitter. The jitter here draws the middle.
        expect(retries.map((event) => event.delayMs)).toEqual(rateLimited ? [750, 1500] : [125, 250]);
        expect(retries.every((event) => event.error?.startsWith(code))).toBe(true);
      });
    }
  }

  it('honours a Retry-After sent with C0011E', async () => {
    const retries: RetryEvent[] = [];
    const { client } = await setUp(
      'FindCustomers',
      { body: { errors: [fluentError('C0011E', 'message', 'Rate limit exceeded')] }, headers: { 'retry-after': '3' } },
      1,
      { onRetry: (event) => retries.push(event) },
    );
    await client.findCustomers(['7_a@example.com']);
    expect(retries.map((event) => event.delayMs)).toEqual([3000]);
  });

  it('gives up only after 10 minutes of refusals for the rate, naming the code, waiting up to 60 s between', async () => {
    let time = 0;
    const retries: RetryEvent[] = [];
    const { stub, client } = await setUp(
      'CreateCustomer',
      { body: { errors: [fluentError('C0011E', 'extensions', 'Rate limit exceeded')] } },
      Number.POSITIVE_INFINITY,
      {
        maxAttempts: 4,
        now: () => time,
        sleep: async (ms) => {
          time += ms;
        },
        onRetry: (event) => retries.push(event),
      },
    );
    const error = await failureOf(operations.CreateCustomer.call(client));
    expect(error).toBeInstanceOf(OmsUnreachableError);
    expect((error as Error).message).toContain('C0011E');
    expect((error as Error).message).toContain('refused for the rate for 10 min');
    expect((error as Error).message).toContain('lower --rate');
    // A count of attempts (maxAttempts 4) does not end it: the time does, between 10 and 11 minutes.
    expect(time).toBeGreaterThanOrEqual(600_000);
    expect(time).toBeLessThan(660_000);
    const delays = retries.map((event) => event.delayMs);
    expect(Math.max(...delays)).toBeLessThanOrEqual(60_000);
    expect(delays.slice(0, 3)).toEqual([750, 1500, 3000]);
    const requests = graphqlRequests(stub).length;
    expect(requests).toBeGreaterThan(4);
    expect(requests).toBeLessThan(30);
    expect(client.stats()).toMatchObject({ graphql: requests, retries: requests - 1, rateLimited: requests });
  });
});

describe('server codes (S0002E, S0020E, S0040E, T....E): a query retries, a mutation is ambiguous', () => {
  for (const code of ['S0002E', 'S0020E', 'S0040E', 'T0100E']) {
    it(`${code}: FindCustomers is retried and succeeds`, async () => {
      const { stub, client } = await setUp('FindCustomers', { body: { errors: [fluentError(code, 'message')] } }, 1);
      expect(await client.findCustomers(['7_a@example.com'])).toHaveLength(1);
      expect(graphqlRequests(stub)).toHaveLength(2);
      expect(client.stats()).toMatchObject({ retries: 1, rateLimited: 0 });
    });

    for (const operation of ['CreateCustomer', 'UpdateCustomer'] as const) {
      it(`${code}: ${operation} is ambiguous and not resent`, async () => {
        const { stub, client } = await setUp(
          operation,
          { body: { data: null, errors: [fluentError(code, 'extensions')] } },
          1,
        );
        const error = await failureOf(operations[operation].call(client));
        expect(error).toBeInstanceOf(AmbiguousMutationError);
        expect((error as AmbiguousMutationError).detail).toContain(code);
        expect(graphqlRequests(stub)).toHaveLength(1);
      });
    }
  }
});

describe('C0020E (missing permission) stops the run, naming the permission', () => {
  const implied = {
    FindCustomers: 'CUSTOMER_VIEW',
    CreateCustomer: 'CUSTOMER_CREATE',
    UpdateCustomer: 'CUSTOMER_UPDATE',
  };
  for (const [operation, permission] of Object.entries(implied) as [OperationName, string][]) {
    for (const where of ['extensions', 'message'] as const) {
      it(`${operation}, code in ${where}, no permission named: ${permission} from the operation`, async () => {
        const { stub, client } = await setUp(operation, {
          body: { errors: [fluentError('C0020E', where, 'Insufficient permissions')] },
        });
        const error = await failureOf(operations[operation].call(client));
        expect(error).toBeInstanceOf(PermissionDeniedError);
        expect(error).toBeInstanceOf(AbortError);
        expect((error as AbortError).exitCode).toBe(3);
        expect((error as PermissionDeniedError).permission).toBe(permission);
        const message = (error as Error).message;
        expect(message).toContain(permission);
        expect(message).toContain('account context');
        expect(message).toContain('customer-sync doctor');
        // Not retried: every attempt would be refused the same way.
        expect(graphqlRequests(stub)).toHaveLength(1);
      });
    }
  }

  it('takes the permission from Fluent’s message when it names one', async () => {
    const { client } = await setUp('UpdateCustomer', {
      body: { errors: [{ message: 'C0020E: User does not have permission [CUSTOMER_UPDATE] for this operation' }] },
    });
    const error = await failureOf(operations.UpdateCustomer.call(client));
    expect((error as PermissionDeniedError).permission).toBe('CUSTOMER_UPDATE');
  });

  it('finds the code where Fluent wraps the message (“Exception while fetching data ... : C0020E:”)', async () => {
    const { client } = await setUp('CreateCustomer', {
      status: 400,
      body: {
        errors: [
          { message: "Exception while fetching data (/createCustomer) : 'C0020E:Missing permission RETAILER_VIEW'" },
        ],
      },
    });
    const error = await failureOf(operations.CreateCustomer.call(client));
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect((error as PermissionDeniedError).permission).toBe('RETAILER_VIEW');
  });

  it('a value that merely looks like a code (quoted on its own) is a data error, not a stopped run', async () => {
    const { client } = await setUp('UpdateCustomer', {
      body: { errors: [{ message: "Customer with username 'C0020E' not found" }] },
    });
    const error = await failureOf(operations.UpdateCustomer.call(client));
    expect(error).toBeInstanceOf(FluentDataError);
    expect((error as FluentDataError).code).toBeUndefined();
  });
});

describe('data codes are permanent and carried on FluentDataError', () => {
  it('C0123E is alreadyExists even when the message does not say so', async () => {
    const { stub, client } = await setUp('CreateCustomer', {
      body: { errors: [fluentError('C0123E', 'extensions', 'Unique constraint violation')] },
    });
    const error = await failureOf(operations.CreateCustomer.call(client));
    expect(error).toBeInstanceOf(FluentDataError);
    expect(error).toMatchObject({ code: 'C0123E', alreadyExists: true, message: 'Unique constraint violation' });
    expect(graphqlRequests(stub)).toHaveLength(1);
  });

  it('C0123E in the message', async () => {
    const { client } = await setUp('CreateCustomer', {
      body: { errors: [fluentError('C0123E', 'message', 'Unique constraint violation')] },
    });
    expect(await failureOf(operations.CreateCustomer.call(client))).toMatchObject({
      code: 'C0123E',
      alreadyExists: true,
    });
  });

  it('“already exists” without a code still counts', async () => {
    const { client } = await setUp('CreateCustomer', {
      body: { errors: [{ message: "Customer with username '7_a@example.com' already exists" }] },
    });
    expect(await failureOf(operations.CreateCustomer.call(client))).toMatchObject({
      code: undefined,
      alreadyExists: true,
    });
  });

  for (const code of ['C0141E', 'C0160E', 'C0120E']) {
    it(`${code} is a data error with its code, not retried`, async () => {
      const { stub, client } = await setUp('UpdateCustomer', {
        status: 400,
        body: { errors: [fluentError(code, 'message', 'field firstName is invalid')] },
      });
      const error = await failureOf(operations.UpdateCustomer.call(client));
      expect(error).toBeInstanceOf(FluentDataError);
      expect(error).toMatchObject({ code, alreadyExists: false, message: `${code}: field firstName is invalid` });
      expect(graphqlRequests(stub)).toHaveLength(1);
    });
  }
});

describe('401 and 403 told apart from refused credentials', () => {
  /** A Fluent that answers every GraphQL request with `status` and `body`, counting grants. */
  async function refusing(status: number, body: unknown, contentType = 'application/json') {
    let grants = 0;
    const stub = await fx.stub((request, response) => {
      if (request.path === '/oauth/token') return sendToken(response, `tok-${++grants}`);
      response.writeHead(status, { 'content-type': contentType });
      response.end(typeof body === 'string' ? body : JSON.stringify(body));
    });
    return { stub, client: fx.client(stub.url) };
  }

  const permissionAnswers: [string, number, unknown][] = [
    ['401 carrying C0020E', 401, { errors: [{ message: 'C0020E: Insufficient permissions' }] }],
    [
      '401 saying the login lacks a permission',
      401,
      { error: 'access_denied', error_description: 'User does not have permission CUSTOMER_CREATE' },
    ],
    ['401 saying it is not authorised for the operation', 401, 'User is not authorized to perform this operation'],
    ['403 with no body', 403, ''],
    ['403 with an HTML page', 403, '<html><body><h1>403 Forbidden</h1></body></html>'],
  ];
  for (const [name, status, body] of permissionAnswers) {
    it(`${name} → PermissionDeniedError, no new grant, not a data error`, async () => {
      const { stub, client } = await refusing(status, body, typeof body === 'string' ? 'text/plain' : undefined);
      const error = await failureOf(operations.CreateCustomer.call(client));
      expect(error).toBeInstanceOf(PermissionDeniedError);
      expect((error as PermissionDeniedError).permission).toBe('CUSTOMER_CREATE');
      expect((error as Error).message).toContain(`HTTP ${status}`);
      expect((error as Error).message).not.toContain('<html');
      expect(grantsOf(stub)).toHaveLength(1);
      expect(graphqlRequests(stub)).toHaveLength(1);
    });
  }

  it('a 401 on a token granted after this request’s own 401 says the credentials worked moments ago', async () => {
    const { stub, client } = await refusing(401, { error: 'invalid_token' });
    const error = await failureOf(operations.FindCustomers.call(client));
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as AbortError).exitCode).toBe(3);
    const message = (error as Error).message;
    expect(message).toContain('/oauth/token granted moments ago');
    expect(message).toContain('may lack a permission');
    expect(message).toContain('customer-sync doctor');
    expect(message).toContain('FLUENT_PASSWORD');
    for (const value of Object.values(PASSWORD_LOGIN)) if (value !== 'password') expect(message).not.toContain(value);
    expect(grantsOf(stub)).toHaveLength(2);
    expect(graphqlRequests(stub)).toHaveLength(2);
  });
});
