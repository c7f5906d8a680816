import { afterEach, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { parseFaults } from '../../src/sandbox/parseFaults.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { createInput, grantToken, postGraphql } from './sandboxClient.js';

/**
 * The sandbox's data rule (`refuseUsernamePattern`): a create or update of a matching username is refused with
 * C0160E, for that mutation alone, so one alias of a batch fails while the others are applied.
 */
let sandbox: Sandbox | undefined;
afterEach(async () => {
  await sandbox?.close();
  sandbox = undefined;
});

const BATCH = `mutation Batch($c0: CreateCustomerInput, $c1: CreateCustomerInput, $u2: UpdateCustomerInput) {
  c0: createCustomer(input: $c0) { id username }
  c1: createCustomer(input: $c1) { id username }
  u2: updateCustomer(input: $u2) { id username lastName }
}`;

describe('a data rule refusing usernames', () => {
  it('refuses the matching aliases of a batch alone, each error under its own path, and applies the rest', async () => {
    sandbox = await startSandbox({
      seed: [
        { retailerId: '1', username: 'blocked-old', lastName: 'Before' },
        { retailerId: '1', username: 'fine-old', lastName: 'Before' },
      ],
      faults: { refuseUsernamePattern: '^blocked-' },
    });
    const token = await grantToken(sandbox);

    const reply = await postGraphql(sandbox, token, BATCH, {
      c0: createInput('fine-new').input,
      c1: createInput('blocked-new').input,
      u2: { username: 'blocked-old', lastName: 'After' },
    });

    expect(reply.status).toBe(200);
    expect(reply.body.data.c0.username).toBe('fine-new');
    expect(reply.body.data.c1).toBeNull();
    expect(reply.body.data.u2).toBeNull();
    expect(reply.body.errors.map((e: { path: string[] }) => e.path)).toEqual([['c1'], ['u2']]);
    for (const error of reply.body.errors) {
      expect(error.extensions.code).toBe('C0160E');
      expect(error.message).toMatch(/^C0160E: .*refused by a data rule/);
    }
    expect(
      sandbox
        .customers()
        .map((c) => `${c.username}:${c.lastName}`)
        .sort(),
    ).toEqual(['blocked-old:Before', 'fine-new:null', 'fine-old:Before']);
    expect(sandbox.stats()).toMatchObject({ refusedMutations: 2, creates: 1, updates: 0 });
  });

  it('is a setting checked like the others: a pattern that is not a regular expression is refused', async () => {
    expect(parseFaults({ refuseUsernamePattern: '(' })).toEqual({
      ok: false,
      message: 'refuseUsernamePattern is not a valid regular expression',
    });
    expect(parseFaults({ refuseUsernamePattern: '' }).ok).toBe(false);
    expect(parseFaults({ refuseUsernamePattern: 'x'.repeat(201) }).ok).toBe(false);
    expect(parseFaults({ refuseUsernamePattern: '^a' })).toEqual({ ok: true, faults: { refuseUsernamePattern: '^a' } });
    await expect(startSandbox({ faults: { refuseUsernamePattern: '[' } })).rejects.toBeInstanceOf(UsageError);
  });
});
