import { describe, expect, it } from 'vitest';
import { planAction } from '../../src/plan/planAction.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';

describe('planAction', () => {
  it('creates a customer the OMS does not hold, with promotionOptIn defaulting to false', () => {
    const action = planAction(aCustomer({ primaryPhone: '+61412345678' }), [], '1');
    expect(action).toEqual({
      kind: 'create',
      input: {
        username: '1_jane@example.com',
        primaryEmail: 'jane@example.com',
        promotionOptIn: false,
        retailer: { id: '1' },
        firstName: 'Jane',
        lastName: 'Doe',
        primaryPhone: '+61412345678',
      },
      changes: expect.arrayContaining([
        { username: '1_jane@example.com', field: 'primaryPhone', before: null, after: '+61412345678' },
      ]),
    });
  });

  it('omits empty fields from a create instead of sending empty strings', () => {
    const action = planAction(aCustomer({ firstName: undefined, lastName: undefined }), [], '1');
    expect(action.kind).toBe('create');
    if (action.kind !== 'create') return;
    expect(Object.keys(action.input).sort()).toEqual(['primaryEmail', 'promotionOptIn', 'retailer', 'username']);
  });

  it('rejects a create without an email, since Fluent requires one', () => {
    const action = planAction(aCustomer({ primaryEmail: undefined, username: 'crm-42' }), [], '1');
    expect(action).toEqual({ kind: 'rejected', reason: expect.stringContaining('primaryEmail') });
  });

  it('is unchanged when every field of the file equals the OMS', () => {
    expect(planAction(aCustomer(), [anOmsCustomer()], '1')).toEqual({
      kind: 'unchanged',
      reason: 'identical to the OMS',
    });
  });

  it('sends the username and only the changed fields in an update', () => {
    const oms = anOmsCustomer({ lastName: 'Smith', primaryPhone: '+61400000000', promotionOptIn: true });
    const action = planAction(aCustomer({ primaryPhone: '+61400000000', promotionOptIn: false }), [oms], '1');
    expect(action).toEqual({
      kind: 'update',
      input: { username: '1_jane@example.com', lastName: 'Doe', promotionOptIn: false },
      changes: [
        { username: '1_jane@example.com', field: 'lastName', before: 'Smith', after: 'Doe' },
        { username: '1_jane@example.com', field: 'promotionOptIn', before: true, after: false },
      ],
      note: '',
    });
  });

  it('leaves a field alone when the file has no value for it', () => {
    const oms = anOmsCustomer({ title: 'Dr', timezone: 'Australia/Sydney' });
    expect(planAction(aCustomer({ title: undefined }), [oms], '1').kind).toBe('unchanged');
  });

  it('never updates department, and says that it differs', () => {
    const oms = anOmsCustomer({ department: 'Finance' });
    const action = planAction(aCustomer({ department: 'Sales' }), [oms], '1');
    expect(action).toEqual({ kind: 'unchanged', reason: expect.stringMatching(/department differs.*cannot update/) });
    const withChange = planAction(aCustomer({ department: 'Sales', firstName: 'Janet' }), [oms], '1');
    expect(withChange.kind).toBe('update');
    if (withChange.kind !== 'update') return;
    expect(withChange.input).toEqual({ username: '1_jane@example.com', firstName: 'Janet' });
    expect(withChange.note).toMatch(/department differs/);
  });

  it('is a conflict when another retailer holds the username, and sends nothing', () => {
    const other = anOmsCustomer({ retailerId: '2', id: '7' });
    expect(planAction(aCustomer(), [other], '1')).toEqual({
      kind: 'conflict',
      reason: 'username is already held by retailer 2 (customer id 7)',
      conflict: 'otherRetailer',
    });
    expect(planAction(aCustomer(), [anOmsCustomer(), other], '1').kind).toBe('conflict');
  });
});
