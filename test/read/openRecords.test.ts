import { describe, expect, it } from 'vitest';
import { normaliseRow } from '../../src/normalise/normaliseRow.js';
import { openRecords } from '../../src/read/openRecords.js';
import type { RawRow } from '../../src/types.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { makeWorkspace } from '../helpers/workspace.js';

const OPTIONS = {
  mapping: undefined,
  usernameTemplate: '{retailerId}_{primaryEmail}',
  retailerId: '1',
  defaultCountry: undefined,
  phoneExtension: 'reject',
  allowFormulaValues: false,
} as const;

async function rowsOf(rows: AsyncIterable<RawRow>): Promise<RawRow[]> {
  const out: RawRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

describe('openRecords', () => {
  it('reads records as a file with their keys as columns, in the order they first appear', async () => {
    const input = openRecords(
      [
        { primaryEmail: 'ann@example.com', promotionOptIn: true },
        { firstName: 'Bob', primaryEmail: 'bob@example.com', primaryPhone: 61293744000, country: null },
      ],
      OPTIONS,
    );
    expect(input.source.header).toEqual(['primaryEmail', 'promotionOptIn', 'firstName', 'primaryPhone', 'country']);
    expect(await rowsOf(input.source.rows)).toEqual([
      { row: 1, line: 2, cells: ['ann@example.com', 'true', '', '', ''] },
      { row: 2, line: 3, cells: ['bob@example.com', '', 'Bob', '61293744000', ''] },
    ]);
  });

  it('normalises each record exactly as the same row of a CSV', async () => {
    const input = openRecords(
      [{ 'First Name': ' Zoë ', primaryEmail: 'ZOE@Example.com', promotionOptIn: 'oui' }],
      OPTIONS,
    );
    const [row] = await rowsOf(input.source.rows);
    const result = row && normaliseRow(row, input.context);
    expect(result).toMatchObject({
      ok: true,
      customer: {
        username: '1_zoe@example.com',
        firstName: 'Zoë',
        primaryEmail: 'zoe@example.com',
        promotionOptIn: true,
      },
    });
  });

  it('raw rows go through the mapping; keys the run does not read may hold anything', async () => {
    const ws = makeWorkspace('cs-records-');
    try {
      const mapping = ws.write('m.json', JSON.stringify({ columns: { MAIL: 'primaryEmail' } }));
      const input = openRecords([{ MAIL: 'a@example.com', order: { lines: [1, 2] } }], { ...OPTIONS, mapping });
      expect(input.layout.columnOfField.primaryEmail).toBe(0);
      expect(input.layout.unmapped).toEqual(['order']);
      expect((await rowsOf(input.source.rows))[0]?.cells).toEqual(['a@example.com', '']);
    } finally {
      ws.remove();
    }
  });

  it('refuses, naming the record and key, what cannot stand for a cell of a column it reads, and what is no record', () => {
    expect(
      usageErrorMessage(() => openRecords([{ primaryEmail: 'a@example.com' }, { primaryEmail: ['b'] }], OPTIONS)),
    ).toBe('customers[1].primaryEmail must be text, a number or true/false (null for no value), not an array');
    expect(usageErrorMessage(() => openRecords([null], OPTIONS))).toBe(
      'customers[0] must be an object of field names and values, not null',
    );
    expect(usageErrorMessage(() => openRecords([{ CRM: 'x' }], OPTIONS))).toMatch(
      /no email column and no username column/,
    );
  });

  it('a digest of the records, the same for the same records', () => {
    const digest = (records: unknown[]) => openRecords(records, OPTIONS).source.digest();
    const one = digest([{ primaryEmail: 'a@example.com' }]);
    expect(one).toEqual({ sha256: expect.stringMatching(/^[0-9a-f]{64}$/), bytes: expect.any(Number), complete: true });
    expect(digest([{ primaryEmail: 'a@example.com' }])).toEqual(one);
    expect(digest([{ primaryEmail: 'b@example.com' }]).sha256).not.toBe(one.sha256);
  });
});
