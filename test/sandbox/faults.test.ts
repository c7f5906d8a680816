import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { CREATE, createInput, FIND, GOOD_GRANT, postForm, postGraphql } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

const fixture = useSandbox();
const { start } = fixture;

describe('fault injection', () => {
  it('adds latency before oauth and graphql answers', async () => {
    const s = await start({ faults: { latencyMs: 80 } });
    let started = performance.now();
    expect((await postForm(s.url, GOOD_GRANT)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
    started = performance.now();
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(200);
    expect(performance.now() - started).toBeGreaterThanOrEqual(75);
  });

  it('answers graphql requests above the per-second limit with 429 and Retry-After, in a rolling window', async () => {
    let clock = 1_000_000;
    const s = await start({ now: () => clock, faults: { rateLimitPerSecond: 2, retryAfterSeconds: 3 } });
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(200);
    clock += 500;
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(200);
    const limited = await postGraphql(s, fixture.token, FIND);
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toBe('3');
    // The oauth endpoint is not limited.
    expect((await postForm(s.url, GOOD_GRANT)).status).toBe(200);
    clock += 500; // the first request leaves the window
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(200);
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(429);
    expect(s.stats().rateLimited).toBe(2);
  });

  it('answers random 429s with Retry-After (default 1) and applies nothing', async () => {
    const s = await start({ faults: { random429Rate: 1 } });
    const reply = await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    expect(reply.status).toBe(429);
    expect(reply.headers.get('retry-after')).toBe('1');
    expect(s.customers()).toEqual([]);
    expect(s.stats()).toMatchObject({ rateLimited: 1, mutations: 0 });
  });

  it('answers random 5xx before executing and applies nothing', async () => {
    const s = await start({ faults: { random5xxRate: 1 } });
    const statuses = new Set<number>();
    for (let index = 0; index < 12; index++) {
      statuses.add((await postGraphql(s, fixture.token, CREATE, createInput(`user${index}`))).status);
    }
    expect([...statuses].every((status) => [500, 502, 503, 504].includes(status))).toBe(true);
    expect(statuses.size).toBeGreaterThan(1);
    expect(s.customers()).toEqual([]);
    expect(s.stats()).toMatchObject({ serverErrors: 12, mutations: 0 });
  });

  it('applies a mutation and then answers 502/503 when told to fail after commit', async () => {
    const s = await start({ faults: { random5xxAfterCommitRate: 1 } });
    const reply = await postGraphql(s, fixture.token, CREATE, createInput('jane'));
    expect([502, 503]).toContain(reply.status);
    expect(s.customers().map((customer) => customer.username)).toEqual(['jane']);
    // Queries are not mutations: they pass.
    expect((await postGraphql(s, fixture.token, FIND)).status).toBe(200);
    expect(s.stats()).toMatchObject({ serverErrors: 1, creates: 1 });
  });

  it('applies a mutation and then cuts the connection with no answer', async () => {
    const s = await start({ faults: { cutAfterCommitRate: 1 } });
    await expect(postGraphql(s, fixture.token, CREATE, createInput('jane'))).rejects.toThrow();
    expect(s.customers().map((customer) => customer.username)).toEqual(['jane']);
    expect(s.stats()).toMatchObject({ cutConnections: 1, creates: 1 });
    const lookup = await postGraphql(s, fixture.token, FIND, { username: ['jane'] });
    expect(lookup.status).toBe(200);
    expect(lookup.body.data.customers.edges).toHaveLength(1);
  });

  it('cuts only mutations that ran: a refused fixture.token or invalid variables get an answer', async () => {
    const s = await start({ faults: { cutAfterCommitRate: 1 } });
    expect((await postGraphql(s, 'bad-token', CREATE, createInput('jane'))).status).toBe(401);
    const invalid = await postGraphql(s, fixture.token, CREATE, { input: { username: 'jane' } });
    expect(invalid.status).toBe(200);
    expect(invalid.body.errors[0].message).toContain('primaryEmail');
    expect(s.customers()).toEqual([]);
    expect(s.stats().cutConnections).toBe(0);
  });

  it('gives the same faults for the same seed and request sequence', async () => {
    const faults = { random429Rate: 0.2, random5xxRate: 0.3, seed: 42 };
    async function statusesOf(s: Sandbox): Promise<number[]> {
      const statuses: number[] = [];
      for (let index = 0; index < 30; index++) statuses.push((await postGraphql(s, fixture.token, FIND)).status);
      return statuses;
    }
    const first = await statusesOf(await start({ faults }));
    const second = await statusesOf(await start({ faults }));
    expect(second).toEqual(first);
    expect(new Set(first).size).toBeGreaterThan(2);
    // setFaults restarts the sequence from the seed; another seed gives another sequence.
    fixture.sandbox.setFaults(faults);
    expect(await statusesOf(fixture.sandbox)).toEqual(first);
    fixture.sandbox.setFaults({ ...faults, seed: 43 });
    expect(await statusesOf(fixture.sandbox)).not.toEqual(first);
  });

  it('draws the same dice whatever else is switched on', async () => {
    // Latency changes nothing in the sequence: the n-th request meets the n-th draw.
    const plain = await start({ faults: { random5xxRate: 0.5, seed: 5 } });
    const without: number[] = [];
    for (let index = 0; index < 10; index++) without.push((await postGraphql(plain, fixture.token, FIND)).status);
    plain.setFaults({ random5xxRate: 0.5, seed: 5, latencyMs: 1, cutAfterCommitRate: 1 });
    const withOthers: number[] = [];
    for (let index = 0; index < 10; index++) withOthers.push((await postGraphql(plain, fixture.token, FIND)).status);
    expect(withOthers).toEqual(without);
  });

  it('makes expired tokens answer 401 with a 1 s lifetime', async () => {
    let clock = 5_000_000;
    const s = await start({ now: () => clock, faults: { tokenLifetimeSeconds: 1 } });
    const grant = await postForm(s.url, GOOD_GRANT);
    expect(grant.body.expires_in).toBe(1);
    clock += 1_000;
    expect((await postGraphql(s, grant.body.access_token, FIND)).status).toBe(401);
  });

  it('refuses out-of-range settings with a UsageError', async () => {
    await expect(startSandbox({ faults: { random429Rate: 1.5 } })).rejects.toThrow(UsageError);
    const s = await start();
    expect(() => s.setFaults({ latencyMs: -1 })).toThrow(/latencyMs/);
  });
});
