import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { compileDataRule } from '../../src/sandbox/compileDataRule.js';
import { parseFaults } from '../../src/sandbox/parseFaults.js';
import { startSandbox } from '../../src/sandbox/startSandbox.js';
import { createInput, postGraphql } from './sandboxClient.js';
import { useSandbox } from './useSandbox.js';

/**
 * The sandbox's data rule (`refuseUsernamePattern`): a create or update of a matching username is refused with
 * C0160E, for that mutation alone, so one alias of a batch fails while the others are applied.
 */
const fixture = useSandbox();

const BATCH = `mutation Batch($c0: CreateCustomerInput, $c1: CreateCustomerInput, $u2: UpdateCustomerInput) {
  c0: createCustomer(input: $c0) { id username }
  c1: createCustomer(input: $c1) { id username }
  u2: updateCustomer(input: $u2) { id username lastName }
}`;

describe('a data rule refusing usernames', () => {
  it('refuses the matching aliases of a batch alone, each error under its own path, and applies the rest', async () => {
    const sandbox = await fixture.start({
      seed: [
        { retailerId: '1', username: 'blocked-old', lastName: 'Before' },
        { retailerId: '1', username: 'fine-old', lastName: 'Before' },
      ],
      faults: { refuseUsernamePattern: '^blocked-' },
    });
    const reply = await postGraphql(sandbox, fixture.token, BATCH, {
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

describe('a data rule’s pattern', () => {
  it('is matched in linear time: ^(a|aa)+$ on a 41-character username answers at once', async () => {
    const sandbox = await fixture.start({ faults: { refuseUsernamePattern: '^(a|aa)+$' } });
    const started = performance.now();
    const refused = await postGraphql(
      sandbox,
      fixture.token,
      'mutation($i: CreateCustomerInput) { createCustomer(input: $i) { id } }',
      {
        i: createInput(`${'a'.repeat(40)}b`).input,
      },
    );
    const polynomial = compileDataRule('a*a*a*a*b');
    if (!polynomial.ok) throw new Error(polynomial.message);
    expect(polynomial.test('a'.repeat(250))).toBe(false);
    // JavaScript's own engine takes seconds on each (SPEC §6 bounds nothing; a data rule must not hold the sandbox).
    expect(performance.now() - started).toBeLessThan(1000);
    expect(refused.body.errors).toBeUndefined();
    expect(sandbox.customers()).toHaveLength(1);
  });

  it('answers what RegExp.prototype.test answers', () => {
    const atom = fc.constantFrom('a', 'b', '.', '[ab]', '[^a]', '\\d', '\\w', '\\s', '[a-c]', '\\x61', '-', '{', ']');
    const quantifier = fc.constantFrom('', '', '*', '+', '?', '{2}', '{1,2}', '{0,}', '*?', '+?');
    const pattern: fc.Arbitrary<string> = fc.letrec((tie) => ({
      piece: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        fc.tuple(atom, quantifier).map(([a, q]) => a + q),
        fc.tuple(tie('alternation'), quantifier).map(([inner, q]) => `(${inner})${q}`),
        fc.tuple(tie('alternation'), quantifier).map(([inner, q]) => `(?:${inner})${q}`),
        fc.constantFrom('^', '$', '\\b', '\\B'),
      ),
      sequence: fc
        .array(tie('piece') as fc.Arbitrary<string>, { minLength: 1, maxLength: 4 })
        .map((parts) => parts.join('')),
      alternation: fc
        .array(tie('sequence') as fc.Arbitrary<string>, { minLength: 1, maxLength: 3 })
        .map((options) => options.join('|')),
    })).alternation as fc.Arbitrary<string>;
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', '1', ' ', '-', '\n'), maxLength: 8 });
    fc.assert(
      fc.property(pattern, fc.array(text, { minLength: 1, maxLength: 6 }), (source, texts) => {
        if (source.length > 200) return;
        let native: RegExp;
        try {
          native = new RegExp(source);
        } catch {
          return;
        }
        const rule = compileDataRule(source);
        if (!rule.ok) throw new Error(`${source}: ${rule.message}`);
        for (const candidate of texts)
          expect(rule.test(candidate), `${source} on ${JSON.stringify(candidate)}`).toBe(native.test(candidate));
      }),
      { numRuns: 400 },
    );
  });

  it('refuses what cannot be matched in linear time, saying why', () => {
    const cases: [pattern: string, message: RegExp][] = [
      ['^(a)\\1$', /backreferences/],
      ['(?<x>a)\\k<x>', /backreferences/],
      ['^(?=a)', /lookahead/],
      ['(?<!a)b', /lookahead, lookbehind/],
      ['(a{1,100}){100}', /too large/],
      ['a{99999}', /too large/],
    ];
    for (const [pattern, message] of cases) {
      const rule = compileDataRule(pattern);
      expect(rule.ok, pattern).toBe(false);
      if (!rule.ok) expect(rule.message).toMatch(message);
      expect(parseFaults({ refuseUsernamePattern: pattern }).ok).toBe(false);
    }
    expect(compileDataRule('^blocked-|@example\\.org$').ok).toBe(true);
  });
});
