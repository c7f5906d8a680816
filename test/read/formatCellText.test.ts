import { describe, expect, it } from 'vitest';
import { formatCellText } from '../../src/read/formatCellText.js';

describe('formatCellText', () => {
  it.each([
    ['a string as it is', 'Zoë O’Brien', 'Zoë O’Brien'],
    ['an empty cell as empty text', null, ''],
    ['a missing cell as empty text', undefined, ''],
    ['a whole number exactly, however long', 61412345678, '61412345678'],
    ['a negative whole number', -42, '-42'],
    ['a fraction without float noise', 0.1 + 0.2, '0.3'],
    ['a fraction Excel shows in 15 digits', 1 / 3, '0.333333333333333'],
    ['a whole number too big to be exact, in 15 digits as Excel shows it', 2 ** 60, '1152921504606850000'],
    ['TRUE', true, 'TRUE'],
    ['FALSE', false, 'FALSE'],
    ['a date at midnight as YYYY-MM-DD', new Date(Date.UTC(2024, 0, 5)), '2024-01-05'],
    ['a date with a time as full ISO without a zone', new Date(Date.UTC(2024, 0, 5, 13, 4, 5)), '2024-01-05T13:04:05'],
    ['a time a hair under the second, rounded', new Date(Date.UTC(2024, 0, 5, 13, 4, 4, 999.6)), '2024-01-05T13:04:05'],
    [
      'rich text as its plain text',
      { richText: [{ text: 'Jane ' }, { font: { bold: true }, text: 'Doe' }] },
      'Jane Doe',
    ],
    ['a hyperlink as its text', { text: 'jane@example.com', hyperlink: 'mailto:jane@example.com' }, 'jane@example.com'],
    ['a formula as its cached text', { formula: 'LOWER(A2)', result: 'jane@example.com' }, 'jane@example.com'],
    ['a formula as its cached number', { formula: 'A1*3', result: 0.30000000000000004 }, '0.3'],
    ['a shared formula as its cached result', { sharedFormula: 'B2', result: 7 }, '7'],
    ['a formula with no cached result as empty', { formula: 'A1' }, ''],
    ['an error value as no value', { error: '#N/A' }, ''],
    ['a formula whose result is an error as no value', { formula: '1/0', result: Number.NaN }, ''],
  ])('reads %s', (_name, value, text) => {
    expect(formatCellText(value)).toBe(text);
  });

  it('reads a formula whose number format is a date as a date (1900 and 1904 systems)', () => {
    expect(formatCellText({ formula: 'TODAY()', result: 45296 }, 'yyyy-mm-dd')).toBe('2024-01-05');
    expect(formatCellText({ formula: 'NOW()', result: 45296.5 }, 'dd/mm/yyyy hh:mm')).toBe('2024-01-05T12:00:00');
    expect(formatCellText({ formula: 'TODAY()', result: 43834 }, 'd-mmm-yy', true)).toBe('2024-01-05');
  });

  it('keeps a formula number as a number when its format is not a date one', () => {
    expect(formatCellText({ formula: 'A1', result: 45296 }, '#,##0 "days"')).toBe('45296');
    expect(formatCellText({ formula: 'A1', result: 45296 }, '[Red]0.00')).toBe('45296');
    expect(formatCellText({ formula: 'A1', result: 45296 }, 'General')).toBe('45296');
  });
});
