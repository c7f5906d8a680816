import { describe, expect, it } from 'vitest';
import { planAction } from '../../src/plan/planAction.js';
import type { CustomerAttribute, OmsAttribute } from '../../src/types.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';

const crmId = (value: string): CustomerAttribute => ({ name: 'legacyCrmId', type: 'STRING', value });
const tier = (value: number): CustomerAttribute => ({ name: 'loyaltyTier', type: 'INTEGER', value });
const unmanaged: OmsAttribute = { name: 'segment', type: 'STRING', value: 'B2B' };

describe('planAction: attributes', () => {
  it('creates with the mapped attributes, each a diff line attributes.NAME', () => {
    const action = planAction(aCustomer({ attributes: [crmId('C-1'), tier(2)] }), [], '1');
    expect(action).toMatchObject({
      kind: 'create',
      input: { attributes: [crmId('C-1'), tier(2)] },
      changes: expect.arrayContaining([
        { username: '1_jane@example.com', field: 'attributes.legacyCrmId', before: null, after: 'C-1' },
        { username: '1_jane@example.com', field: 'attributes.loyaltyTier', before: null, after: '2' },
      ]),
    });
  });

  it('sends no attributes on a create when the row has none', () => {
    const action = planAction(aCustomer(), [], '1');
    expect(action.kind === 'create' && 'attributes' in action.input).toBe(false);
  });

  it.each<[string, OmsAttribute[]]>([
    ['the same name, type and value', [{ ...crmId('C-1') }]],
    ['the type in another case', [{ name: 'legacyCrmId', type: 'string', value: 'C-1' }]],
    ['unmanaged attributes beside it', [unmanaged, crmId('C-1')]],
  ])('is unchanged when the OMS holds %s', (_, held) => {
    const action = planAction(aCustomer({ attributes: [crmId('C-1')] }), [anOmsCustomer({ attributes: held })], '1');
    expect(action).toEqual({ kind: 'unchanged', reason: 'identical to the OMS' });
  });

  it('compares JSON values whatever the order of their keys', () => {
    const prefs: CustomerAttribute = { name: 'prefs', type: 'JSON', value: { sms: true, mail: false } };
    const held = [{ name: 'prefs', type: 'JSON', value: { mail: false, sms: true } }];
    expect(planAction(aCustomer({ attributes: [prefs] }), [anOmsCustomer({ attributes: held })], '1').kind).toBe(
      'unchanged',
    );
  });

  it('updates one changed attribute alone, sending the whole list so an unmanaged one is kept', () => {
    const oms = anOmsCustomer({ attributes: [unmanaged, crmId('C-1'), tier(1)] });
    const action = planAction(aCustomer({ attributes: [crmId('C-1'), tier(2)] }), [oms], '1');
    expect(action).toEqual({
      kind: 'update',
      input: { username: '1_jane@example.com', attributes: [unmanaged, crmId('C-1'), tier(2)] },
      changes: [{ username: '1_jane@example.com', field: 'attributes.loyaltyTier', before: '1', after: '2' }],
      note: '',
    });
  });

  it('adds an attribute the OMS lacks after the ones it holds', () => {
    const oms = anOmsCustomer({ attributes: [unmanaged] });
    const action = planAction(aCustomer({ attributes: [crmId('C-1')] }), [oms], '1');
    expect(action).toMatchObject({
      kind: 'update',
      input: { attributes: [unmanaged, crmId('C-1')] },
      changes: [{ field: 'attributes.legacyCrmId', before: null, after: 'C-1' }],
    });
  });

  it('adds to a customer whose attributes are null', () => {
    const action = planAction(aCustomer({ attributes: [tier(3)] }), [anOmsCustomer({ attributes: null })], '1');
    expect(action).toMatchObject({ kind: 'update', input: { attributes: [tier(3)] } });
  });

  it('changes a value held under another type, showing the values as a diff shows them', () => {
    const oms = anOmsCustomer({ attributes: [{ name: 'loyaltyTier', type: 'STRING', value: '2' }] });
    const action = planAction(aCustomer({ attributes: [tier(2)] }), [oms], '1');
    expect(action).toMatchObject({
      kind: 'update',
      input: { attributes: [tier(2)] },
      changes: [{ field: 'attributes.loyaltyTier', before: '2', after: '2' }],
    });
  });

  it('leaves the attributes out of an update when only fields changed', () => {
    const oms = anOmsCustomer({ lastName: 'Smith', attributes: [crmId('C-1')] });
    const action = planAction(aCustomer({ attributes: [crmId('C-1')] }), [oms], '1');
    expect(action).toMatchObject({ kind: 'update', input: { username: '1_jane@example.com', lastName: 'Doe' } });
    expect(action.kind === 'update' && 'attributes' in action.input).toBe(false);
  });

  it('never removes an attribute: a row without one leaves the OMS list alone', () => {
    const oms = anOmsCustomer({ attributes: [crmId('C-1')] });
    expect(planAction(aCustomer(), [oms], '1').kind).toBe('unchanged');
  });
});
