/**
 * The variants Fluent's documentation leaves open, as the sandbox plays them (SPEC §6): four shapes of rate limit,
 * refusals without Retry-After, codes only at the start of a message, misbehaving pages, and the documented limits
 * (`first` clamped to 1–5000, C0001E over 11,111 of complexity).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { batchMutation, FIND_CUSTOMERS, LIST_CUSTOMERS } from '../../src/fluent/documents.js';
import { createQueryLimits } from '../../src/sandbox/createQueryLimits.js';
import { createSandboxLimiter } from '../../src/sandbox/createSandboxLimiter.js';
import type { RateLimitShape } from '../../src/sandbox/sandboxVariants.js';
import { type Sandbox, type SandboxOptions, type SeedCustomer, startSandbox } from '../../src/sandbox/startSandbox.js';
import { grantToken, postGraphql } from './sandboxClient.js';

const sandboxes: Sandbox[] = [];
afterEach(async () => {
  await Promise.all(sandboxes.splice(0).map((s) => s.close()));
});
const aSandbox = async (options: SandboxOptions) => {
  const sandbox = await startSandbox({ port: 0, ...options });
  sandboxes.push(sandbox);
  return { sandbox, token: await grantToken(sandbox) };
};

describe('createSandboxLimiter: four shapes of a limit of 10/s', () => {
  /** Which of requests at the given times (ms) are admitted. */
  const admitted = (shape: RateLimitShape, times: number[], penaltyMs = 5000) => {
    let time = 0;
    const limiter = createSandboxLimiter({ shape, penaltyMs, limit: () => 10, now: () => time });
    return times.map((t) => {
      time = t;
      return limiter.admit().admitted;
    });
  };
  const burst = (at: number, n: number) => Array.from({ length: n }, () => at);

  it('rolling: at most 10 in any 1 s', () => {
    const result = admitted('rolling', [...burst(900, 10), 1100, 1899, ...burst(1901, 11)]);
    expect(result).toEqual([...Array(10).fill(true), false, false, ...Array(10).fill(true), false]);
  });

  it('window: at most 10 per clock second, counted afresh at the whole second', () => {
    const result = admitted('window', [...burst(900, 10), 999, 1000, ...burst(1001, 9), 1002]);
    expect(result).toEqual([...Array(10).fill(true), false, true, ...Array(9).fill(true), false]);
  });

  it('bucket: a burst of 10 after a quiet spell, then 10/s as it refills', () => {
    const result = admitted('bucket', [...burst(5000, 10), 5000, 5100, 5150, 5200]);
    expect(result).toEqual([...Array(10).fill(true), false, true, false, true]);
  });

  it('penalty: once over the limit, everything is refused for the penalty, however slowly it comes', () => {
    const result = admitted('penalty', [...burst(100, 10), 200, 1500, 4000, 5199, 5201, 5202], 5000);
    expect(result).toEqual([...Array(10).fill(true), false, false, false, false, true, true]);
  });

  it('says when to come back: the rest of a penalty, or when a slot frees', () => {
    let time = 0;
    const limiter = createSandboxLimiter({ shape: 'penalty', penaltyMs: 20_000, limit: () => 1, now: () => time });
    limiter.admit();
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 20_000 });
    time = 15_000;
    expect(limiter.admit()).toEqual({ admitted: false, retryAfterMs: 5_000 });
  });
});

describe('the sandbox refuses for the rate as the variants say', () => {
  it('a penalty box without Retry-After, its code only at the start of the message', async () => {
    const { sandbox, token } = await aSandbox({
      faults: { rateLimitPerSecond: 2 },
      rateLimitShape: 'penalty',
      penaltyMs: 60_000,
      noRetryAfter: true,
      bareErrorCodes: true,
    });
    const replies = [];
    for (let i = 0; i < 4; i++) replies.push(await postGraphql(sandbox, token, '{ customers { edges { cursor } } }'));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 429, 429]);
    expect(replies[3]?.headers.get('retry-after')).toBeNull();
    expect(replies[3]?.body).toEqual({ errors: [{ message: 'C0011E Rate limit exceeded, retry later' }] });
    expect(sandbox.stats().rateLimited).toBe(2);
  });

  it('a penalty box with Retry-After says how long the box lasts', async () => {
    const { sandbox, token } = await aSandbox({
      faults: { rateLimitPerSecond: 1 },
      rateLimitShape: 'penalty',
      penaltyMs: 30_000,
    });
    await postGraphql(sandbox, token, '{ customers { edges { cursor } } }');
    const refused = await postGraphql(sandbox, token, '{ customers { edges { cursor } } }');
    expect(refused.headers.get('retry-after')).toBe('30');
  });

  it('bare codes inside HTTP 200 too, with no extensions.code', async () => {
    const { sandbox, token } = await aSandbox({ bareErrorCodes: true, seed: [{ retailerId: '1', username: 'taken' }] });
    const reply = await postGraphql(
      sandbox,
      token,
      'mutation M($input: CreateCustomerInput) { createCustomer(input: $input) { id } }',
      { input: { username: 'taken', primaryEmail: 'a@example.com', promotionOptIn: false, retailer: { id: '1' } } },
    );
    expect(reply.status).toBe(200);
    const [error] = reply.body.errors;
    expect(error.message).toMatch(/^C0123E [^:]/);
    expect(error.extensions?.code).toBeUndefined();
  });
});

describe('query limits as Fluent documents them', () => {
  const limits = createQueryLimits({ maxComplexity: 11_111, maxFirst: 5000 });
  const complexityOf = (query: string, variables: Record<string, unknown> = {}) =>
    limits.complexityOf({ query, variables, operationName: null });

  it('counts the queries a request runs: the connection, and each node’s retailer', () => {
    expect(complexityOf(FIND_CUSTOMERS, { usernames: ['a'], first: 200 })).toBe(201);
    expect(complexityOf(LIST_CUSTOMERS, { first: 5000 })).toBe(5001);
    // Without `first`, Fluent's page of 10.
    expect(complexityOf('{ customers { edges { node { id retailer { id } } } } }')).toBe(11);
    // A batch: each mutation, and the retailer of its answer.
    expect(complexityOf(batchMutation({ creates: 3, updates: 2 }).query)).toBe(10);
    // `first` over 5000 counts as 5000, as Fluent clamps it.
    expect(complexityOf('{ customers(first: 9000) { edges { node { retailer { id } } } } }')).toBe(5001);
  });

  it('refuses a query over 11,111 with C0001E, inside HTTP 200, running nothing', async () => {
    const { sandbox, token } = await aSandbox({});
    const three = `{ ${['a', 'b', 'c'].map((alias) => `${alias}: customers(first: 5000) { edges { node { id retailer { id } } } }`).join(' ')} }`;
    const reply = await postGraphql(sandbox, token, three);
    expect(reply.status).toBe(200);
    expect(reply.body.errors[0].message).toMatch(/^C0001E: Query complexity 15003 exceeds the maximum of 11111/);
    expect(reply.body.errors[0].extensions.code).toBe('C0001E');
    expect(sandbox.stats().queries).toBe(0);
  });

  it('clamps `first` to 1–5000, in a variable or a literal', async () => {
    const seed: SeedCustomer[] = Array.from({ length: 5003 }, (_, i) => ({ retailerId: '1', username: `u${i}` }));
    const { sandbox, token } = await aSandbox({ seed });
    const sizes = async (query: string, variables?: Record<string, unknown>) =>
      (await postGraphql(sandbox, token, query, variables)).body.data.customers.edges.length;
    const byVariable = 'query Q($n: Int) { customers(first: $n) { edges { cursor } } }';
    expect(await sizes(byVariable, { n: 9000 })).toBe(5000);
    expect(await sizes(byVariable, { n: 0 })).toBe(1);
    expect(await sizes(byVariable, { n: -4 })).toBe(1);
    expect(await sizes('{ customers(first: 7000) { edges { cursor } } }')).toBe(5000);
  });

  it('a stricter account (maxFirst) clamps `first` lower, and pages on past its pages', async () => {
    const seed: SeedCustomer[] = Array.from({ length: 25 }, (_, i) => ({ retailerId: '1', username: `u${i}` }));
    const { sandbox, token } = await aSandbox({ seed, maxFirst: 10 });
    const page =
      'query Q($after: String) { customers(first: 5000, after: $after) { edges { cursor } pageInfo { hasNextPage } } }';
    const sizes: number[] = [];
    let after: string | undefined;
    for (;;) {
      const { edges, pageInfo } = (await postGraphql(sandbox, token, page, { after })).body.data.customers;
      sizes.push(edges.length);
      after = edges.at(-1)?.cursor;
      if (!pageInfo.hasNextPage) break;
    }
    expect(sizes).toEqual([10, 10, 5]);
    expect(
      createQueryLimits({ maxComplexity: 11_111, maxFirst: 10 }).complexityOf({
        query: LIST_CUSTOMERS,
        variables: { first: 5000 },
        operationName: null,
      }),
    ).toBe(11);
    for (const maxFirst of [0, 5001, 2.5]) {
      await expect(startSandbox({ maxFirst })).rejects.toThrow(
        "the sandbox's largest page (maxFirst) must be a whole number from 1 to 5000",
      );
    }
  });
});

describe('page faults', () => {
  const seed: SeedCustomer[] = Array.from({ length: 12 }, (_, i) => ({ retailerId: '1', username: `u${i + 1}` }));
  const PAGE =
    'query P($after: String) { customers(first: 3, after: $after) { edges { cursor node { username } } pageInfo { hasNextPage } } }';

  /** Up to `pages` pages, as a client would follow them. */
  const follow = async (sandbox: Sandbox, token: string, pages: number) => {
    const seen: { usernames: string[]; cursors: (string | null)[]; hasNextPage: boolean }[] = [];
    let after: string | undefined;
    for (let i = 0; i < pages; i++) {
      const { edges, pageInfo } = (await postGraphql(sandbox, token, PAGE, { after })).body.data.customers;
      seen.push({
        usernames: edges.map((e: { node: { username: string } }) => e.node.username),
        cursors: edges.map((e: { cursor: string | null }) => e.cursor),
        hasNextPage: pageInfo.hasNextPage,
      });
      after = edges.at(-1)?.cursor ?? undefined;
      if (!pageInfo.hasNextPage || after === undefined) break;
    }
    return seen;
  };

  it('repeat: each page after the first starts with the last edge of the page before', async () => {
    const { sandbox, token } = await aSandbox({ seed, pageFaults: 'repeat' });
    const pages = await follow(sandbox, token, 10);
    expect(pages.map((p) => p.usernames)).toEqual([
      ['u1', 'u2', 'u3'],
      ['u3', 'u4', 'u5', 'u6'],
      ['u6', 'u7', 'u8', 'u9'],
      ['u9', 'u10', 'u11', 'u12'],
    ]);
  });

  it('stall: the third page ends with the cursor it was asked after', async () => {
    const { sandbox, token } = await aSandbox({ seed, pageFaults: 'stall' });
    const pages = await follow(sandbox, token, 3);
    expect(pages[2]?.hasNextPage).toBe(true);
    expect(pages[2]?.cursors.at(-1)).toBe(pages[1]?.cursors.at(-1));
  });

  it('no-cursor: the third page says more follow, with no cursor', async () => {
    const { sandbox, token } = await aSandbox({ seed, pageFaults: 'no-cursor' });
    const pages = await follow(sandbox, token, 5);
    expect(pages).toHaveLength(3);
    expect(pages[2]).toMatchObject({ hasNextPage: true, cursors: [null, null, null, null] });
  });
});
