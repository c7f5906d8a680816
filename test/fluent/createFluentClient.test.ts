/**
 * The real client against the real sandbox over 127.0.0.1.
 */
import { describe, expect, it } from 'vitest';
import { AbortError } from '../../src/errors.js';
import type { FluentClientOptions, RetryEvent } from '../../src/fluent/createFluentClient.js';
import { secretValues } from '../../src/fluent/credentials.js';
import {
  AmbiguousMutationError,
  CredentialsRefusedError,
  FluentDataError,
  OmsUnreachableError,
} from '../../src/fluent/errors.js';
import type { SandboxOptions, SeedCustomer } from '../../src/sandbox/startSandbox.js';
import { PASSWORD_LOGIN, useFluentFixtures } from './fixtures.js';

const fx = useFluentFixtures();

/** The sandbox, and the client of it. */
async function setUp(sandboxOptions: SandboxOptions = {}, clientOptions: Partial<FluentClientOptions> = {}) {
  const sandbox = await fx.sandbox(sandboxOptions);
  return { sandbox, client: fx.client(sandbox.url, clientOptions) };
}

const newCustomer = (username: string, retailerId = '1') => ({
  username,
  primaryEmail: `${username}@example.com`,
  promotionOptIn: false,
  retailer: { id: retailerId },
});

/** A clock that only moves when told, shared by the sandbox and the client. */
function manualClock(start = Date.parse('2024-05-01T10:00:00Z')) {
  let time = start;
  return {
    now: () => time,
    advance: (ms: number) => {
      time += ms;
    },
  };
}

describe('createFluentClient against the sandbox: lookups and writes', () => {
  it('finds every match across retailers, paging past the default 10 and past one page', async () => {
    const seed: SeedCustomer[] = [];
    // 30 usernames, each under five retailers: 150 matches, more than one page of 100.
    for (let i = 0; i < 30; i++) {
      for (const retailerId of ['1', '2', '3', '4', '5']) seed.push({ retailerId, username: `user${i}` });
    }
    seed.push({ retailerId: '1', username: 'not-asked-for' });
    const { sandbox, client } = await setUp({ seed });
    const wanted = [...Array.from({ length: 30 }, (_, i) => `user${i}`), 'missing'];

    const found = await client.findCustomers(wanted);

    expect(found).toHaveLength(150);
    expect(new Set(found.map((c) => `${c.retailerId}/${c.username}`)).size).toBe(150);
    expect(found.filter((c) => c.username === 'user7').map((c) => c.retailerId)).toEqual(['1', '2', '3', '4', '5']);
    expect(sandbox.stats().queries).toBe(2);
    expect(client.stats().graphql).toBe(2);
  });

  it('finds 25 matches in one request although Fluent pages 10 by default', async () => {
    const seed: SeedCustomer[] = Array.from({ length: 20 }, (_, i) => ({ retailerId: '1', username: `u${i}` }));
    for (let i = 0; i < 5; i++) seed.push({ retailerId: '2', username: `u${i}` });
    const { sandbox, client } = await setUp({ seed });
    const found = await client.findCustomers(Array.from({ length: 20 }, (_, i) => `u${i}`));
    expect(found).toHaveLength(25);
    expect(sandbox.stats().queries).toBe(1);
  });

  it('creates and updates a customer, and the lookup sees the result', async () => {
    const { sandbox, client } = await setUp();
    const created = await client.createCustomer({
      ...newCustomer('1_ann@example.com'),
      firstName: 'Ann',
      country: 'AU',
    });
    expect(created).toMatchObject({
      username: '1_ann@example.com',
      ref: '1_ann@example.com',
      firstName: 'Ann',
      lastName: null,
      country: 'AU',
      promotionOptIn: false,
      retailerId: '1',
    });
    const updated = await client.updateCustomer({
      username: '1_ann@example.com',
      lastName: 'Lee',
      promotionOptIn: true,
    });
    expect(updated).toMatchObject({ id: created.id, firstName: 'Ann', lastName: 'Lee', promotionOptIn: true });
    expect(await client.findCustomers(['1_ann@example.com'])).toEqual([updated]);
    expect(sandbox.customers()).toHaveLength(1);
    expect(sandbox.stats()).toMatchObject({ creates: 1, updates: 1 });
  });

  it('reports a value over Fluent’s limit as a data error with Fluent’s message', async () => {
    const { sandbox, client } = await setUp();
    const error = await client
      .createCustomer({ ...newCustomer('1_long@example.com'), firstName: 'x'.repeat(51) })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    expect((error as Error).message).toContain('firstName');
    expect((error as FluentDataError).alreadyExists).toBe(false);
    expect(sandbox.customers()).toHaveLength(0);
  });

  it('marks a duplicate create as alreadyExists', async () => {
    const { client } = await setUp({ seed: [{ retailerId: '1', username: 'taken' }] });
    const error = await client.createCustomer(newCustomer('taken')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(FluentDataError);
    expect((error as FluentDataError).alreadyExists).toBe(true);
    expect((error as Error).message).toContain('taken');
  });
});

describe('createFluentClient against the sandbox: transient failures', () => {
  it('retries 429s after the Retry-After and counts them', async () => {
    const retries: RetryEvent[] = [];
    const { sandbox, client } = await setUp(
      { faults: { random429Rate: 0.4, retryAfterSeconds: 2, seed: 7 } },
      { onRetry: (event) => retries.push(event) },
    );
    for (let i = 0; i < 15; i++) await client.findCustomers([`u${i}`]);
    await client.createCustomer(newCustomer('made-through-429s'));

    const rateLimited = sandbox.stats().rateLimited;
    expect(rateLimited).toBeGreaterThan(0);
    expect(client.stats()).toMatchObject({ rateLimited, retries: rateLimited, graphql: 16 + rateLimited });
    expect(retries.every((event) => event.status === 429 && event.delayMs === 2000)).toBe(true);
    expect(sandbox.stats().creates).toBe(1);
  });

  it('caps a long Retry-After and gets through a server-side rate limit', async () => {
    const retries: RetryEvent[] = [];
    const { sandbox, client } = await setUp(
      { faults: { rateLimitPerSecond: 5, retryAfterSeconds: 3600 } },
      { sleep: undefined, maxRetryAfterMs: 300, onRetry: (event) => retries.push(event) },
    );
    const started = Date.now();
    const found = await Promise.all(Array.from({ length: 8 }, (_, i) => client.findCustomers([`u${i}`])));
    expect(found).toHaveLength(8);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    expect(client.stats().rateLimited).toBe(sandbox.stats().rateLimited);
    expect(new Set(retries.map((event) => event.delayMs))).toEqual(new Set([300]));
  });

  it('keeps within --rate so a server limit of the same size is never hit', async () => {
    const { sandbox, client } = await setUp(
      { faults: { rateLimitPerSecond: 20 } },
      { sleep: undefined, ratePerSecond: 18 },
    );
    await Promise.all(Array.from({ length: 24 }, (_, i) => client.findCustomers([`u${i}`])));
    expect(sandbox.stats().rateLimited).toBe(0);
  });

  it('retries a query answered 5xx', async () => {
    const { sandbox, client } = await setUp({ faults: { random5xxRate: 0.5, seed: 3 } });
    for (let i = 0; i < 10; i++) expect(await client.findCustomers([`u${i}`])).toEqual([]);
    const serverErrors = sandbox.stats().serverErrors;
    expect(serverErrors).toBeGreaterThan(0);
    expect(client.stats()).toMatchObject({ retries: serverErrors, graphql: 10 + serverErrors });
  });

  it('gives up on a query after maxAttempts 5xx answers', async () => {
    const { sandbox, client } = await setUp({ faults: { random5xxRate: 1 } }, { maxAttempts: 3 });
    const error = await client.findCustomers(['u']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OmsUnreachableError);
    expect((error as Error).message).toMatch(/HTTP 50\d/);
    expect(sandbox.stats().graphql).toBe(3);
  });

  it('calls a mutation answered 5xx after it was applied ambiguous, and does not resend it', async () => {
    const { sandbox, client } = await setUp({ faults: { random5xxAfterCommitRate: 1 } });
    const error = await client.createCustomer(newCustomer('maybe')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AmbiguousMutationError);
    expect((error as AmbiguousMutationError).detail).toMatch(/HTTP 50[23]/);
    expect(sandbox.stats().graphql).toBe(1);
    // It was applied: the lookup the caller makes next resolves the ambiguity.
    sandbox.setFaults({});
    expect(await client.findCustomers(['maybe'])).toHaveLength(1);
  });

  it('calls a mutation whose connection was cut after it was applied ambiguous', async () => {
    const { sandbox, client } = await setUp({ faults: { cutAfterCommitRate: 1 } });
    await expect(client.createCustomer(newCustomer('cut'))).rejects.toBeInstanceOf(AmbiguousMutationError);
    expect(sandbox.stats()).toMatchObject({ graphql: 1, creates: 1, cutConnections: 1 });
    expect(sandbox.customers().map((c) => c.username)).toEqual(['cut']);
  });

  it('retries a mutation answered 429 (never applied) and applies it once', async () => {
    const { sandbox, client } = await setUp({ faults: { random429Rate: 0.5, seed: 11 } });
    for (let i = 0; i < 6; i++) await client.createCustomer(newCustomer(`c${i}`));
    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    expect(sandbox.stats().creates).toBe(6);
  });
});

describe('createFluentClient against the sandbox: tokens', () => {
  it('grants a new token before the old one expires, with no 401', async () => {
    const clock = manualClock();
    const { sandbox, client } = await setUp(
      { now: clock.now, faults: { tokenLifetimeSeconds: 1 } },
      { now: clock.now },
    );
    await client.findCustomers(['a']);
    clock.advance(800); // 200 ms left, less than a quarter of the lifetime
    await client.findCustomers(['a']);
    clock.advance(5000);
    await client.findCustomers(['a']);
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 3, unauthorized: 0, queries: 3 });
    expect(client.stats().tokenGrants).toBe(3);
  });

  it('re-grants transparently when Fluent answers 401 to a token it let expire', async () => {
    const clock = manualClock();
    const { sandbox, client } = await setUp({ now: clock.now, faults: { tokenLifetimeSeconds: 1 } });
    await client.findCustomers(['a']);
    clock.advance(5000); // the sandbox's clock only: the client believes its token is fresh
    expect(await client.findCustomers(['a'])).toEqual([]);
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 2, unauthorized: 1, queries: 2 });
  });

  it('uses the refresh token when Fluent hands one out', async () => {
    const clock = manualClock();
    const { sandbox, client } = await setUp(
      { now: clock.now, faults: { tokenLifetimeSeconds: 1, issueRefreshTokens: true } },
      { now: clock.now },
    );
    await client.findCustomers(['a']);
    clock.advance(2000);
    await client.findCustomers(['a']);
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 1, refreshGrants: 1, unauthorized: 0 });
    expect(client.stats().tokenGrants).toBe(2);
  });

  it('shares one grant among many requests that all meet a 401', async () => {
    const clock = manualClock();
    const { sandbox, client } = await setUp({ now: clock.now, faults: { tokenLifetimeSeconds: 60 } });
    await client.findCustomers(['warm-up']);
    clock.advance(120_000); // expires the token on the sandbox's clock only
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => client.findCustomers([`u${i}`])));
    expect(results).toHaveLength(25);
    expect(sandbox.stats().tokenGrants).toBe(2);
    expect(sandbox.stats().unauthorized).toBeGreaterThan(1);
    expect(client.stats().tokenGrants).toBe(2);
  });

  it('stops with refused credentials, not a loop, when a freshly granted token meets a 401 too', async () => {
    let time = 0;
    // Every look at the sandbox's clock is an hour later: every token it grants is expired on arrival.
    const hourLater = () => {
      time += 3_600_000;
      return time;
    };
    const { sandbox, client } = await setUp({ now: hourLater, faults: { tokenLifetimeSeconds: 60 } });
    const error = await client.findCustomers(['a']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 2, unauthorized: 2 });
  });

  it('stops with refused credentials when the grant is refused, naming the variables and no value', async () => {
    const { sandbox, client } = await setUp({
      credentials: { clientId: 'other', clientSecret: 'other', username: 'other', password: 'other' },
    });
    const results = await Promise.allSettled([client.findCustomers(['a']), client.createCustomer(newCustomer('b'))]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const error = (result as PromiseRejectedResult).reason as Error;
      expect(error).toBeInstanceOf(CredentialsRefusedError);
      expect(error).toBeInstanceOf(AbortError);
      expect((error as AbortError).exitCode).toBe(3);
      expect(error.message).toContain('FLUENT_CLIENT_SECRET');
      expect(error.message).toContain('FLUENT_PASSWORD');
      for (const secret of secretValues(PASSWORD_LOGIN)) expect(error.message).not.toContain(secret);
    }
    // Refused once, remembered: no grant storm.
    expect(sandbox.stats()).toMatchObject({ unauthorized: 1, graphql: 0 });
  });

  it('stops with refused credentials when FLUENT_ACCESS_TOKEN is not valid', async () => {
    const { sandbox } = await setUp();
    const client = fx.client(sandbox.url, {
      credentials: { kind: 'token', accessToken: 'not-a-real-token-Z9' },
      ratePerSecond: 100,
    });
    const error = await client.updateCustomer({ username: 'x', firstName: 'A' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CredentialsRefusedError);
    expect((error as Error).message).toContain('FLUENT_ACCESS_TOKEN');
    expect((error as Error).message).not.toContain('not-a-real-token-Z9');
    expect(sandbox.stats()).toMatchObject({ tokenGrants: 0, graphql: 1 });
  });
});
