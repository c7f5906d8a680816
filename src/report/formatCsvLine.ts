import { neutraliseCell } from './neutraliseCell.js';

/** Cells that must be quoted: separators, quotes, line breaks, or edge spaces a reader might trim. */
const NEEDS_QUOTES = /[",\r\n]|^[ \t]|[ \t]$/;

export type CsvCell = string | number | boolean | null | undefined;

/**
 * Formats one RFC 4180 record, ending in `\n` (LF, not CRLF: every csv-parse and spreadsheet reads it, and it
 * matches the line endings of the JSON and HTML beside it). `null`/`undefined` become an empty cell, booleans
 * `true`/`false`. Every string cell is neutralised against formula injection; `phoneColumns` names the
 * indexes whose E.164 phones are exempt. Numbers are our own counters and are written as they are.
 */
export function formatCsvLine(cells: readonly CsvCell[], phoneColumns?: ReadonlySet<number>): string {
  let line = '';
  for (let index = 0; index < cells.length; index++) {
    if (index > 0) line += ',';
    line += formatCell(cells[index], phoneColumns?.has(index) === true);
  }
  return `${line}\n`;
}

function formatCell(cell: CsvCell, phone: boolean): string {
  if (cell === null || cell === undefined) return '';
  if (typeof cell !== 'string') return String(cell);
  const text = neutraliseCell(cell, { phone });
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}
