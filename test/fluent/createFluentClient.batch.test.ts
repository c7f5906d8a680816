/**
 * `--batch N`: creates and updates aliased in one request, each alias's data or error mapped back to its own
 * mutation; the real client against the real sandbox, and a stub server for answers the sandbox never gives.
 */
import { describe, expect, it } from 'vitest';
import type { BatchMutation, FluentClient, FluentClientOptions } from '../../src/fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError, PermissionDeniedError } from '../../src/fluent/errors.js';
import type { SandboxOptions } from '../../src/sandbox/startSandbox.js';
import { useFluentFixtures } from './fixtures.js';

const fx = useFluentFixtures();

/** The sandbox, and the client of it. */
async function setUp(sandboxOptions: SandboxOptions = {}, clientOptions: Partial<FluentClientOptions> = {}) {
  const sandbox = await fx.sandbox(sandboxOptions);
  return { sandbox, client: fx.client(sandbox.url, clientOptions) };
}

const create = (username: string): BatchMutation => ({
  kind: 'create',
  input: { username, primaryEmail: `${username}@example.com`, promotionOptIn: false, retailer: { id: '1' } },
});
const update = (username: string, lastName: string): BatchMutation => ({
  kind: 'update',
  input: { username, lastName },
});

describe('mutateBatch against the sandbox', () => {
  it('applies creates and updates in one request and maps each answer back to its own mutation', async () => {
    const { sandbox, client } = await setUp({
      seed: [
        { retailerId: '1', username: 'old-1', lastName: 'Before' },
        { retailerId: '1', username: 'old-2', lastName: 'Before' },
      ],
    });
    // Interleaved on purpose: the document puts creates first, the answer must still come back in this order.
    const mutations = [update('old-1', 'After1'), create('new-1'), update('old-2', 'After2'), create('new-2')];

    const answer = await client.mutateBatch(mutations);

    expect(answer.denied).toBeUndefined();
    expect(
      answer.results.map((r) => (r.kind === 'done' ? `${r.customer.username}:${r.customer.lastName}` : r.kind)),
    ).toEqual(['old-1:After1', 'new-1:null', 'old-2:After2', 'new-2:null']);
    expect(sandbox.stats()).toMatchObject({ graphql: 1, creates: 2, updates: 2 });
    expect(client.stats().graphql).toBe(1);
  });

  it('a data rule refusing one alias fails only that mutation; the others are applied', async () => {
    const { sandbox, client } = await setUp({ faults: { refuseUsernamePattern: '^refuse-' } });

    const answer = await client.mutateBatch([create('ok-1'), create('refuse-me'), create('ok-2')]);

    const [first, refused, last] = answer.results;
    expect(first?.kind).toBe('done');
    expect(last?.kind).toBe('done');
    expect(refused?.kind).toBe('refused');
    if (refused?.kind !== 'refused') throw new Error('unreachable');
    expect(refused.error).toBeInstanceOf(FluentDataError);
    expect(refused.error.code).toBe('C0160E');
    expect(refused.error.message).toMatch(/refused by a data rule/);
    expect(sandbox.customers().map((c) => c.username)).toEqual(['ok-1', 'ok-2']);
    expect(sandbox.stats().refusedMutations).toBe(1);
  });

  it('an alias whose customer already exists is refused as already existing, for a lookup to resolve', async () => {
    const { client } = await setUp({ seed: [{ retailerId: '1', username: 'taken' }] });

    const answer = await client.mutateBatch([create('fresh'), create('taken')]);

    expect(answer.results[0]?.kind).toBe('done');
    const taken = answer.results[1];
    expect(taken?.kind === 'refused' && taken.error.alreadyExists).toBe(true);
  });

  it('a batch whose connection is cut after it was applied is ambiguous as a whole, and is not resent', async () => {
    const { sandbox, client } = await setUp({ faults: { cutAfterCommitRate: 1 } });

    const error = await client.mutateBatch([create('a'), create('b')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AmbiguousMutationError);
    expect(sandbox.stats()).toMatchObject({ graphql: 1, creates: 2 });
  });

  it('a batch answered 5xx after it was applied is ambiguous as a whole, and is not resent', async () => {
    const { sandbox, client } = await setUp({ faults: { random5xxAfterCommitRate: 1 } });

    const error = await client.mutateBatch([create('a'), update('a', 'X')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(AmbiguousMutationError);
    expect(sandbox.stats().graphql).toBe(1);
  });

  it('a batch Fluent refuses as a whole applies nothing and says so', async () => {
    const { sandbox, client } = await setUp({ faults: { refuseMutationRate: 1 } });

    const error = await client.mutateBatch([create('a'), create('b')]).catch((e: unknown) => e);

    expect(error).toBeInstanceOf(FluentDataError);
    expect(sandbox.customers()).toHaveLength(0);
  });

  it('a missing permission on some aliases names it, while the aliases that were allowed are applied', async () => {
    const { sandbox, client } = await setUp({
      seed: [{ retailerId: '1', username: 'old' }],
      missingPermissions: ['CUSTOMER_UPDATE'],
    });

    const answer = await client.mutateBatch([create('new'), update('old', 'X')]);

    expect(answer.results.map((r) => r.kind)).toEqual(['done', 'denied']);
    expect(answer.denied).toBeInstanceOf(PermissionDeniedError);
    expect(answer.denied?.permission).toBe('CUSTOMER_UPDATE');
    expect(sandbox.stats()).toMatchObject({ creates: 1, updates: 0 });
  });

  it('retries a batch refused for the rate as a whole (C0011E inside HTTP 200), like a 429', async () => {
    const { sandbox, client } = await setUp({ rateLimitAsError: true, faults: { random429Rate: 0.5, seed: 4 } });

    for (let i = 0; i < 6; i++) {
      const answer = await client.mutateBatch([create(`a${i}`), create(`b${i}`)]);
      expect(answer.results.every((r) => r.kind === 'done')).toBe(true);
    }

    expect(sandbox.stats().rateLimited).toBeGreaterThan(0);
    expect(client.stats().rateLimited).toBe(sandbox.stats().rateLimited);
    expect(sandbox.customers()).toHaveLength(12);
  });
});

describe('mutateBatch reading answers the sandbox never gives', () => {
  let client: FluentClient | undefined;
  async function answerWith(body: unknown) {
    const stub = await fx.fluent(() => [200, body]);
    client = fx.client(stub.url);
    return client.mutateBatch([create('a'), create('b'), create('c')]);
  }
  const node = (username: string) => ({ id: '9', username, retailer: { id: '1' } });

  it('a rate limit or a server error on one alias leaves only that one to resolve by lookup', async () => {
    const answer = await answerWith({
      data: { c0: node('a'), c1: null, c2: null },
      errors: [
        { message: 'C0011E: Rate limit exceeded', path: ['c1'] },
        { message: 'failure', path: ['c2'], extensions: { code: 'S0002E' } },
      ],
    });
    expect(answer.results.map((r) => r.kind)).toEqual(['done', 'lost', 'lost']);
    expect(client?.stats().rateLimited).toBe(1);
  });

  it('an error below an applied alias (a field of its answer) does not undo it', async () => {
    const answer = await answerWith({
      data: { c0: node('a'), c1: node('b'), c2: node('c') },
      errors: [{ message: 'C0160E: cannot read retailer', path: ['c1', 'retailer'] }],
    });
    expect(answer.results.map((r) => r.kind)).toEqual(['done', 'done', 'done']);
  });

  it('an alias with neither data nor an error is lost, never taken as applied', async () => {
    const answer = await answerWith({ data: { c0: node('a') } });
    expect(answer.results.map((r) => r.kind)).toEqual(['done', 'lost', 'lost']);
  });
});

describe('probeAliases', () => {
  it('is answered by the sandbox with one lookup per alias, writing nothing', async () => {
    const { sandbox, client } = await setUp();
    expect(await client.probeAliases()).toEqual({ ok: true });
    expect(sandbox.stats()).toMatchObject({ graphql: 1, queries: 1, mutations: 0 });
  });

  it('says why when an OMS refuses aliased fields', async () => {
    const stub = await fx.fluent(() => [400, { errors: [{ message: 'C0160E: aliases are not supported' }] }]);
    const client = fx.client(stub.url);
    const answer = await client.probeAliases();
    expect(answer.ok).toBe(false);
    expect(!answer.ok && answer.reason).toMatch(/aliases are not supported/);
  });
});
