import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatCsvLine } from '../../src/report/formatCsvLine.js';
import { neutraliseCell } from '../../src/report/neutraliseCell.js';

function parseOne(line: string): string[] {
  const records = parse(line) as string[][];
  expect(records).toHaveLength(1);
  return records[0] ?? [];
}

describe('formatCsvLine', () => {
  it('ends a record with LF and leaves plain cells unquoted', () => {
    expect(formatCsvLine(['jane@example.com', 'Jane', 3])).toBe('jane@example.com,Jane,3\n');
  });

  it('writes null and undefined as empty cells and booleans as true/false', () => {
    expect(formatCsvLine([null, undefined, true, false, ''])).toBe(',,true,false,\n');
  });

  it('quotes commas, quotes, line breaks and edge spaces, doubling inner quotes', () => {
    expect(formatCsvLine(['Smith, Jr', 'say "hi"', 'two\nlines', 'cr\rhere', ' padded '])).toBe(
      '"Smith, Jr","say ""hi""","two\nlines","cr\rhere"," padded "\n',
    );
  });

  it('round-trips awkward cells through csv-parse', () => {
    const cells = ['a,b', '"quoted"', 'line1\nline2', 'crlf\r\nend', '', ' lead', 'trail ', 'ünïcödé 😀', '""'];
    expect(parseOne(formatCsvLine(cells))).toEqual(cells);
  });

  it('neutralises formula cells and exempts E.164 phones only in phone columns', () => {
    const line = formatCsvLine(['=1+1', '+61412345678', '+61412345678', '-5', '@SUM(A1)'], new Set([2]));
    expect(parseOne(line)).toEqual(["'=1+1", "'+61412345678", '+61412345678', "'-5", "'@SUM(A1)"]);
  });

  it('quotes a neutralised CR cell, so the record stays one line for the parser', () => {
    expect(parseOne(formatCsvLine(['\r=cmd', 'x']))).toEqual(["'\r=cmd", 'x']);
  });

  it('round-trips any text: the parser reads back each cell as neutralised', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme' }), { minLength: 2, maxLength: 6 }), (cells) => {
        expect(parseOne(formatCsvLine(cells))).toEqual(cells.map((cell) => neutraliseCell(cell)));
      }),
      { numRuns: 300 },
    );
  });

  it('round-trips cells built from the characters CSV cares about', () => {
    const awkward = fc.string({ unit: fc.constantFrom('a', ',', '"', '\n', '\r', ' ', '=', "'", '\t', '+') });
    fc.assert(
      fc.property(fc.array(awkward, { minLength: 2, maxLength: 5 }), (cells) => {
        expect(parseOne(formatCsvLine(cells))).toEqual(cells.map((cell) => neutraliseCell(cell)));
      }),
      { numRuns: 500 },
    );
  });
});
