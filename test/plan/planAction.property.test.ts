import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { planAction } from '../../src/plan/planAction.js';
import type { Customer, OmsCustomer } from '../../src/types.js';
import { anOmsCustomer } from '../builders/customers.js';

const text = fc.option(fc.string({ maxLength: 12 }), { nil: undefined });

const customer: fc.Arbitrary<Customer> = fc.record({
  username: fc.constantFrom('1_a@example.com', '1_b@example.com'),
  primaryEmail: text,
  firstName: text,
  lastName: text,
  title: text,
  department: text,
  promotionOptIn: fc.option(fc.boolean(), { nil: undefined }),
});

const holder = (username: string): fc.Arbitrary<OmsCustomer> =>
  fc
    .record({
      retailerId: fc.constantFrom('1', '2', '3'),
      firstName: fc.option(fc.string({ maxLength: 12 }), { nil: null }),
    })
    .map((o) => anOmsCustomer({ ...o, username }));

describe('planAction properties', () => {
  it('never creates a username that exists anywhere in the account', () => {
    fc.assert(
      fc.property(
        customer.chain((c) => fc.tuple(fc.constant(c), fc.array(holder(c.username), { minLength: 1, maxLength: 4 }))),
        ([c, matches]) => {
          expect(planAction(c, matches, '1').kind).not.toBe('create');
        },
      ),
    );
  });

  it('never sends anything for a username another retailer holds', () => {
    fc.assert(
      fc.property(customer, fc.constantFrom('2', '3'), (c, retailerId) => {
        const action = planAction(c, [anOmsCustomer({ username: c.username, retailerId })], '1');
        expect(action.kind).toBe('conflict');
      }),
    );
  });

  it('an update carries only fields whose value differs from the OMS', () => {
    fc.assert(
      fc.property(customer, holder('1_a@example.com'), (c, oms) => {
        const own = { ...oms, username: c.username, retailerId: '1' };
        const action = planAction(c, [own], '1');
        if (action.kind !== 'update') return;
        for (const [field, value] of Object.entries(action.input)) {
          if (field === 'username') continue;
          expect(own[field as keyof OmsCustomer]).not.toEqual(value);
        }
      }),
    );
  });
});
