import { describe, expect, it } from 'vitest';
import { hashCustomer } from '../../src/normalise/hashCustomer.js';
import { describeNotTaken, heldHash, showsApplied, takenChanges, verifyWrite } from '../../src/plan/verifyWrite.js';
import type { FieldChange, OmsCustomer } from '../../src/types.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';

const U = '1_jane@example.com';
const change = (field: FieldChange['field'], before: FieldChange['before'], after: FieldChange['after']) => ({
  username: U,
  field,
  before,
  after,
});
const tier = (value: unknown) => ({ name: 'tier', type: 'STRING', value });

describe('verifyWrite: what a mutation meant against what Fluent holds', () => {
  const cases: [string, FieldChange[], Partial<OmsCustomer>, ReturnType<typeof verifyWrite>][] = [
    ['every value taken', [change('lastName', 'Doe', 'Smith')], { lastName: 'Smith' }, []],
    [
      'a phone reformatted',
      [change('primaryPhone', null, '+61412345678')],
      { primaryPhone: '+61 412 345 678' },
      [{ field: 'primaryPhone', meant: '+61412345678', held: '+61 412 345 678' }],
    ],
    [
      'a name truncated',
      [change('firstName', null, 'Bartholomew')],
      { firstName: 'Bartho' },
      [{ field: 'firstName', meant: 'Bartholomew', held: 'Bartho' }],
    ],
    ['a value dropped', [change('title', null, 'Dr')], { title: null }, [{ field: 'title', meant: 'Dr', held: null }]],
    [
      'a value kept after a null (undo of an added title)',
      [change('title', 'Dr', null)],
      { title: 'Dr' },
      [{ field: 'title', meant: null, held: 'Dr' }],
    ],
    [
      'a flag not taken',
      [change('promotionOptIn', false, true)],
      { promotionOptIn: false },
      [{ field: 'promotionOptIn', meant: true, held: false }],
    ],
    ['an attribute taken', [change('attributes.tier', null, 'gold')], { attributes: [tier('gold')] }, []],
    [
      'an attribute merged instead of removed',
      [change('attributes.tier', 'gold', null)],
      { attributes: [tier('gold')] },
      [{ field: 'attributes.tier', meant: null, held: 'gold' }],
    ],
    ['an attribute removed, no list at all', [change('attributes.tier', 'gold', null)], { attributes: null }, []],
    [
      'a JSON attribute compared as canonical JSON',
      [change('attributes.prefs', null, '{"a":1,"b":2}')],
      { attributes: [{ name: 'prefs', type: 'JSON', value: { b: 2, a: 1 } }] },
      [],
    ],
    [
      'only what differs, in the order sent',
      [change('firstName', null, 'Ann'), change('lastName', null, 'Lee'), change('primaryEmail', null, 'a@x.io')],
      { firstName: 'Ann', lastName: 'Le', primaryEmail: 'A@x.io' },
      [
        { field: 'lastName', meant: 'Lee', held: 'Le' },
        { field: 'primaryEmail', meant: 'a@x.io', held: 'A@x.io' },
      ],
    ],
  ];
  it.each(cases)('%s', (_, changes, held, expected) => {
    expect(verifyWrite(changes, anOmsCustomer(held))).toEqual(expected);
  });

  it('names each value in a reason, quoted and escaped as rejection reasons quote them', () => {
    expect(
      describeNotTaken([
        { field: 'primaryPhone', meant: '+61412345678', held: '+61 412 345 678' },
        { field: 'title', meant: null, held: 'Dr "Who"\u001b' },
        { field: 'promotionOptIn', meant: true, held: false },
      ]),
    ).toBe(
      'primaryPhone holds "+61 412 345 678", not "+61412345678"; title holds "Dr \'Who\'\\u001b", not (none); promotionOptIn holds false, not true',
    );
  });

  it('keeps as diff lines what Fluent shows changed: taken as planned, otherwise to what it holds, or nothing', () => {
    const changes = [
      change('firstName', 'Old', 'Ann'),
      change('primaryPhone', null, '+61412345678'),
      change('title', 'Dr', null),
    ];
    const notTaken = verifyWrite(
      changes,
      anOmsCustomer({ firstName: 'Ann', primaryPhone: '+61 412 345 678', title: 'Dr' }),
    );
    expect(takenChanges(changes, notTaken)).toEqual([
      change('firstName', 'Old', 'Ann'),
      change('primaryPhone', null, '+61 412 345 678'),
    ]);
  });

  it('tells a customer the mutation reached (as sent or otherwise) from one it never reached', () => {
    const changes = [change('lastName', 'Doe', 'Smith'), change('title', null, 'Dr')];
    expect(showsApplied(changes, anOmsCustomer({ lastName: 'Doe', title: null }))).toBe(false);
    expect(showsApplied(changes, anOmsCustomer({ lastName: 'Smit', title: null }))).toBe(true);
    expect(showsApplied(changes, anOmsCustomer({ lastName: 'Doe', title: 'Dr' }))).toBe(true);
  });
});

describe('heldHash: the hash of what Fluent holds of a row', () => {
  const customer = aCustomer({
    primaryPhone: '+61412345678',
    department: 'Sales',
    attributes: [{ name: 'tier', type: 'STRING', value: 'gold' }],
  });
  const asFiled = anOmsCustomer({
    primaryPhone: '+61412345678',
    department: 'Sales',
    title: 'Mx',
    attributes: [tier('gold'), { name: 'other', type: 'STRING', value: 'x' }],
  });

  it('is the row’s own hash when Fluent holds every value the row gives, whatever else it holds', () => {
    expect(heldHash(customer, asFiled)).toBe(hashCustomer(customer));
    expect(heldHash(customer, { ...asFiled, attributes: [{ name: 'tier', type: 'string', value: 'gold' }] })).toBe(
      hashCustomer(customer),
    );
  });

  it('is the hash of the file changed to what Fluent holds, so such a file is unchanged by hash', () => {
    const reformatted = { ...asFiled, primaryPhone: '+61 412 345 678' };
    expect(heldHash(customer, reformatted)).not.toBe(hashCustomer(customer));
    expect(heldHash(customer, reformatted)).toBe(hashCustomer({ ...customer, primaryPhone: '+61 412 345 678' }));
    const dropped = { ...asFiled, attributes: [] };
    expect(heldHash(customer, dropped)).toBe(hashCustomer({ ...customer, attributes: undefined }));
  });
});
