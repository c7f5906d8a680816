import { describe, expect, it } from 'vitest';
import { planAction } from '../../src/plan/planAction.js';
import type { OmsCustomer, WriteMode } from '../../src/types.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';

describe('planAction: --mode', () => {
  const absent: OmsCustomer[] = [];
  const identical = [anOmsCustomer()];
  const stale = [anOmsCustomer({ lastName: 'Smith', firstName: 'J' })];
  const elsewhere = [anOmsCustomer({ retailerId: '2', id: '9' })];

  const cases: [WriteMode, string, OmsCustomer[], string, RegExp][] = [
    ['upsert', 'absent', absent, 'create', /./],
    ['upsert', 'stale', stale, 'update', /./],
    ['upsert', 'identical', identical, 'unchanged', /^identical to the OMS$/],
    ['create-only', 'absent', absent, 'create', /./],
    [
      'create-only',
      'stale',
      stale,
      'kept',
      /^already in the OMS, and --mode create-only leaves existing customers as they are \(it differs in firstName, lastName\)$/,
    ],
    ['create-only', 'identical', identical, 'unchanged', /^identical to the OMS$/],
    ['create-only', 'held by another retailer', elsewhere, 'conflict', /already held by retailer 2/],
    ['update-only', 'absent', absent, 'skipped', /^not in the OMS, and --mode update-only creates no customer$/],
    ['update-only', 'stale', stale, 'update', /./],
    ['update-only', 'identical', identical, 'unchanged', /^identical to the OMS$/],
    ['update-only', 'held by another retailer', elsewhere, 'conflict', /already held by retailer 2/],
  ];
  it.each(cases)('%s, customer %s → %s', (mode, _, matches, kind, reason) => {
    const action = planAction(aCustomer(), matches, '1', mode);
    expect(action.kind).toBe(kind);
    if ('reason' in action) expect(action.reason).toMatch(reason);
  });

  it('update-only skips a row with no customer even when it could not be created (no email)', () => {
    const customer = aCustomer({ primaryEmail: undefined, username: 'crm-42' });
    expect(planAction(customer, [], '1', 'update-only').kind).toBe('skipped');
    expect(planAction(customer, [], '1', 'upsert').kind).toBe('rejected');
  });

  it('create-only still says why department differs', () => {
    const oms = anOmsCustomer({ lastName: 'Smith', department: 'Sales' });
    const action = planAction(aCustomer({ department: 'Ops' }), [oms], '1', 'create-only');
    expect(action).toMatchObject({ kind: 'kept', reason: expect.stringContaining('department differs') });
  });
});
