/** What a workbook cell's value can be, in exceljs's shapes (its writer's and its readers'). */
export type CellValue = unknown;

/** Number formats that show a serial number as a date or time (Excel's own test: y, m, d, h, s outside quotes). */
const DATE_FORMAT = /[ymdhsb]/i;
/** Days between Excel's 1900 epoch (with its phantom 29 February 1900) and 1970-01-01. */
const EPOCH_1900 = 25569;
/** Days between the 1904 epoch (old Mac workbooks) and the 1900 one. */
const EPOCH_1904_OFFSET = 1462;
const DAY_MS = 86_400_000;

/**
 * The text a user sees in a workbook cell (SPEC §2), as the CSV reader would have read it from "Save as CSV":
 * numbers without float noise (0.1+0.2 shows 0.3; whole numbers exactly), booleans TRUE/FALSE, dates as ISO
 * `YYYY-MM-DD`, or `YYYY-MM-DDTHH:MM:SS` when there is a time (no zone: a workbook has none), formulas as their cached
 * result, rich text and hyperlinks as their plain text. An error (`#N/A`, `#REF!`, also as a formula's result) is no
 * value at all: the empty text, so it is never sent as if it were a name. `numFmt` is the cell's number format, needed
 * for a formula whose result is a date (exceljs turns only plain date cells into Dates).
 */
export function formatCellText(value: CellValue, numFmt?: string, date1904 = false): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'boolean') return value ? 'TRUE' : 'FALSE';
  if (value instanceof Date) return formatDate(value);
  if (typeof value !== 'object') return String(value);
  const cell = value as Record<string, unknown>;
  if ('error' in cell) return '';
  if (Array.isArray(cell.richText)) return formatRichText(cell.richText);
  if ('formula' in cell || 'sharedFormula' in cell) {
    const { result } = cell;
    if (typeof result === 'number') {
      // A formula's error result comes back as NaN.
      if (Number.isNaN(result)) return '';
      if (numFmt !== undefined && isDateFormat(numFmt)) return formatDate(serialToDate(result, date1904));
    }
    return formatCellText(result, numFmt, date1904);
  }
  if ('text' in cell) return formatCellText(cell.text, numFmt, date1904);
  return '';
}

function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return '';
  if (Number.isInteger(value))
    return Number.isSafeInteger(value) ? String(value) : String(Number(value.toPrecision(15)));
  // Excel shows 15 significant digits; the binary noise below them (0.30000000000000004) is not the user's data.
  return String(Number(value.toPrecision(15)));
}

function formatDate(date: Date): string {
  const ms = date.getTime();
  if (Number.isNaN(ms)) return '';
  // Serial numbers carry float noise in their fraction: 13:04:05 may come back as 13:04:04.9999.
  const iso = new Date(Math.round(ms / 1000) * 1000).toISOString();
  return iso.endsWith('T00:00:00.000Z') ? iso.slice(0, 10) : iso.slice(0, 19);
}

function formatRichText(runs: unknown[]): string {
  let text = '';
  for (const run of runs) {
    const part = (run as { text?: unknown } | null)?.text;
    if (typeof part === 'string') text += part;
  }
  return text;
}

/** Whether a number format shows a serial number as a date or time. */
export function isDateFormat(numFmt: string): boolean {
  // Colours, conditions and quoted literals ("[Red]", "\"days\"") are not date parts.
  return DATE_FORMAT.test(numFmt.replace(/\[[^\]]*]/g, '').replace(/"[^"]*"/g, ''));
}

/** A serial day number (how a workbook stores a date) as the text formatCellText gives a date. */
export function formatSerialDate(serial: number, date1904: boolean): string {
  return Number.isFinite(serial) ? formatDate(serialToDate(serial, date1904)) : '';
}

function serialToDate(serial: number, date1904: boolean): Date {
  return new Date(Math.round((serial - EPOCH_1900 + (date1904 ? EPOCH_1904_OFFSET : 0)) * DAY_MS));
}
