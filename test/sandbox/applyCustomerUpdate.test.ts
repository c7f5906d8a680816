import { describe, expect, it } from 'vitest';
import { applyCustomerUpdate } from '../../src/sandbox/applyCustomerUpdate.js';
import type { StoredCustomer, StoreSettings, UpdateCustomerArgs } from '../../src/sandbox/sandboxStoreTypes.js';

const HELD: StoredCustomer = {
  id: '1',
  idNumber: 1,
  ref: 'jane',
  username: 'jane',
  title: 'Ms',
  firstName: 'Jane',
  lastName: 'Doe',
  primaryEmail: 'jane@example.com',
  primaryPhone: '+61400000000',
  timezone: null,
  promotionOptIn: true,
  department: 'Sales',
  country: 'AU',
  status: 'ACTIVE',
  retailerId: '1',
  createdOn: '2024-05-01T10:00:00.000Z',
  updatedOn: '2024-05-01T10:00:00.000Z',
  attributes: [
    { name: 'crmId', type: 'STRING', value: 'C-1' },
    { name: 'tier', type: 'STRING', value: 'gold' },
  ],
};
const AT = '2024-05-02T10:00:00.000Z';
type Variants = Pick<StoreSettings, 'attributeUpdates' | 'nullUpdates'>;
const held = (changes: Partial<StoredCustomer>): StoredCustomer => ({ ...HELD, updatedOn: AT, ...changes });

describe('applyCustomerUpdate', () => {
  const cases: [
    name: string,
    variants: Variants,
    args: Omit<UpdateCustomerArgs, 'username'>,
    expected: StoredCustomer,
  ][] = [
    [
      'replace + clear: the list replaces, a null clears',
      { attributeUpdates: 'replace', nullUpdates: 'clear' },
      { title: null, promotionOptIn: null, attributes: [{ name: 'crmId', type: 'STRING', value: 'C-2' }] },
      held({ title: null, promotionOptIn: null, attributes: [{ name: 'crmId', type: 'STRING', value: 'C-2' }] }),
    ],
    [
      'merge + ignore: the list is merged in by name, a null is left as it was',
      { attributeUpdates: 'merge', nullUpdates: 'ignore' },
      {
        title: null,
        promotionOptIn: null,
        lastName: 'Smith',
        attributes: [
          { name: 'crmId', type: 'STRING', value: 'C-2' },
          { name: 'since', type: 'INTEGER', value: 2019 },
        ],
      },
      held({
        lastName: 'Smith',
        attributes: [
          { name: 'crmId', type: 'STRING', value: 'C-2' },
          { name: 'tier', type: 'STRING', value: 'gold' },
          { name: 'since', type: 'INTEGER', value: 2019 },
        ],
      }),
    ],
    [
      'merge + clear: attributes null clears them all',
      { attributeUpdates: 'merge', nullUpdates: 'clear' },
      { attributes: null },
      held({ attributes: null }),
    ],
    [
      'merge: an empty list leaves the attributes',
      { attributeUpdates: 'merge', nullUpdates: 'clear' },
      { attributes: [] },
      held({}),
    ],
    [
      'replace: an empty list empties them',
      { attributeUpdates: 'replace', nullUpdates: 'clear' },
      { attributes: [] },
      held({ attributes: [] }),
    ],
    [
      'ignore: attributes null is left as it was',
      { attributeUpdates: 'replace', nullUpdates: 'ignore' },
      { attributes: null, country: 'NZ' },
      held({ country: 'NZ' }),
    ],
    [
      'an absent field is left alone under every variant',
      { attributeUpdates: 'merge', nullUpdates: 'clear' },
      {},
      held({}),
    ],
  ];
  for (const [name, variants, args, expected] of cases) {
    it(name, () => {
      const before = structuredClone(HELD);
      expect(applyCustomerUpdate(HELD, { username: 'jane', ...args }, variants, AT)).toEqual(expected);
      expect(HELD).toEqual(before);
    });
  }

  it('drops null entries of a list', () => {
    const updated = applyCustomerUpdate(
      HELD,
      { username: 'jane', attributes: [null, { name: 'tier', type: 'STRING', value: 'silver' }] },
      { attributeUpdates: 'replace', nullUpdates: 'clear' },
      AT,
    );
    expect(updated.attributes).toEqual([{ name: 'tier', type: 'STRING', value: 'silver' }]);
  });
});
