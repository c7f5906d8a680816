import { describe, expect, it } from 'vitest';
import type { OnDuplicate } from '../../src/options/index.js';
import { decideDuplicateGroup, differingFields } from '../../src/plan/decideDuplicates.js';
import { aCustomer } from '../builders/customers.js';

const rows = (...hashes: string[]) => hashes.map((hash, i) => ({ row: (i + 1) * 10, hash }));

describe('decideDuplicateGroup: rows of one username, by --on-duplicate', () => {
  const cases: [string, ReturnType<typeof rows>, OnDuplicate, string[]][] = [
    [
      'identical rows collapse into the first, whatever the policy',
      rows('a', 'a', 'a'),
      'last',
      ['kept 10', '20: same values as row 10', '30: same values as row 10'],
    ],
    ['rows that disagree are all rejected by default', rows('a', 'b'), 'reject', ['rejected 10, 20']],
    [
      'first keeps the first',
      rows('a', 'b', 'a'),
      'first',
      [
        'kept 10',
        '20: row 10 is kept (--on-duplicate first); this row differs in lastName',
        '30: same values as row 10',
      ],
    ],
    [
      'last keeps the last',
      rows('a', 'b'),
      'last',
      ['kept 20', '10: row 20 is kept (--on-duplicate last); this row differs in lastName'],
    ],
  ];
  it.each(cases)('%s', (_, group, policy, expected) => {
    const verdict = decideDuplicateGroup(group, policy);
    const seen =
      verdict?.kind === 'reject all'
        ? [`rejected ${verdict.rows.map((r) => r.row).join(', ')}`]
        : [
            `kept ${verdict?.kept.row}`,
            ...(verdict?.others ?? []).map((r) => `${r.row}: ${verdict?.reason(r, ['lastName'])}`),
          ];
    expect(seen).toEqual(expected);
  });

  it('a rejection names the fields the rows differ in, or says only that they differ when they cannot be read back', () => {
    const verdict = decideDuplicateGroup(rows('a', 'b'), 'reject');
    if (verdict?.kind !== 'reject all') throw new Error('expected all rejected');
    expect(verdict.reason(['firstName'])).toBe(
      'username appears in rows 10, 20, which differ in firstName (pass --on-duplicate first or last to keep one)',
    );
    expect(verdict.reason(undefined)).toBe(
      'username appears in rows 10, 20 with different values (pass --on-duplicate first or last to keep one)',
    );
  });

  it('differingFields: fields in report order, attributes after them by name; undefined when one is missing', () => {
    const one = aCustomer({ lastName: 'A', attributes: [{ name: 'tier', type: 'STRING', value: 'gold' }] });
    const two = aCustomer({
      firstName: 'X',
      lastName: 'B',
      attributes: [{ name: 'tier', type: 'STRING', value: 'blue' }],
    });
    expect(differingFields([one, two])).toEqual(['firstName', 'lastName', 'attributes.tier']);
    expect(differingFields([one, one])).toBeUndefined();
    expect(differingFields([one, undefined])).toBeUndefined();
  });
});
