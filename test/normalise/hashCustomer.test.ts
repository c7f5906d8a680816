import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { hashCustomer } from '../../src/normalise/hashCustomer.js';
import type { Customer } from '../../src/types.js';

const value = fc.constantFrom('', 'a', 'b', 'ab', 'null', 'true', '-', '1:a', 'Zoë');
const customer: fc.Arbitrary<Customer> = fc.record(
  {
    username: fc.constantFrom('1_a@x.com', '1_b@x.com'),
    title: value,
    firstName: value,
    lastName: value,
    primaryEmail: value,
    primaryPhone: value,
    timezone: value,
    promotionOptIn: fc.boolean(),
    department: value,
    country: value,
  },
  { requiredKeys: ['username'] },
);

describe('hashCustomer', () => {
  it('is a fixed SHA-256 of the values, the same on every machine and version', () => {
    // sha256("18:1_jane@example.com-4:Jane----F--"). Changing it makes every checkpoint's stored hash look changed.
    expect(hashCustomer({ username: '1_jane@example.com', firstName: 'Jane', promotionOptIn: false })).toBe(
      '6616d9f317c43ceee52e2d50f55aba9709530d90ef617302b95ac6f7536c53b2',
    );
  });

  it('does not depend on the order the fields were set in', () => {
    expect(hashCustomer({ username: 'u', firstName: 'A', country: 'GB' })).toBe(
      hashCustomer({ country: 'GB', firstName: 'A', username: 'u' }),
    );
  });

  it('tells an absent field from every value', () => {
    const hashes = [
      hashCustomer({ username: 'u' }),
      hashCustomer({ username: 'u', title: '' }),
      hashCustomer({ username: 'u', title: 'null' }),
      hashCustomer({ username: 'u', promotionOptIn: true }),
      hashCustomer({ username: 'u', promotionOptIn: false }),
      hashCustomer({ username: 'u', title: 'true' }),
      hashCustomer({ username: 'u', firstName: 'a' }),
      hashCustomer({ username: 'u', title: 'a' }),
      hashCustomer({ username: 'ua' }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
  });

  it('gives equal customers equal hashes and differing customers differing ones', () => {
    fc.assert(
      fc.property(customer, customer, (a, b) => {
        const same = JSON.stringify(Object.entries(a).sort()) === JSON.stringify(Object.entries(b).sort());
        expect(hashCustomer(a) === hashCustomer(b)).toBe(same);
        expect(hashCustomer(a)).toBe(hashCustomer(structuredClone(a)));
        expect(hashCustomer(a)).toMatch(/^[0-9a-f]{64}$/);
      }),
      { numRuns: 5_000 },
    );
  });
});

describe('hashCustomer: attributes', () => {
  const base = { username: '1_jane@example.com', firstName: 'Jane', promotionOptIn: false };

  it('hashes a customer without attributes as before attributes existed', () => {
    expect(hashCustomer({ ...base, attributes: [] })).toBe(
      '6616d9f317c43ceee52e2d50f55aba9709530d90ef617302b95ac6f7536c53b2',
    );
  });

  it('changes with any attribute name, type or value, and not with their order or key order', () => {
    const tier = { name: 'tier', type: 'INTEGER' as const, value: 2 };
    const prefs = { name: 'prefs', type: 'JSON' as const, value: { a: 1, b: [true, 'x'] } };
    const hashes = [
      hashCustomer(base),
      hashCustomer({ ...base, attributes: [tier] }),
      hashCustomer({ ...base, attributes: [{ ...tier, value: 3 }] }),
      hashCustomer({ ...base, attributes: [{ ...tier, value: '2' }] }),
      hashCustomer({ ...base, attributes: [{ ...tier, type: 'FLOAT' }] }),
      hashCustomer({ ...base, attributes: [{ ...tier, name: 'tier2' }] }),
      hashCustomer({ ...base, attributes: [tier, prefs] }),
    ];
    expect(new Set(hashes).size).toBe(hashes.length);
    expect(hashCustomer({ ...base, attributes: [prefs, tier] })).toBe(hashes[6]);
    expect(hashCustomer({ ...base, attributes: [tier, { ...prefs, value: { b: [true, 'x'], a: 1 } }] })).toBe(
      hashes[6],
    );
  });
});
