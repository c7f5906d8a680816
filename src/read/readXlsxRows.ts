import type { Readable } from 'node:stream';
import { AbortError, UsageError } from '../errors.js';
import type { RawRow } from '../types.js';
import { MAX_FIELDS, MAX_RECORD_BYTES } from './createRecordGuard.js';
import { formatCellText } from './formatCellText.js';

/** A workbook input: its raw bytes (after the digest stage), and which sheet to read. */
export interface XlsxInput {
  /** How messages name the input: its path, or "standard input". */
  name: string;
  stream: Readable;
  /** `--sheet`: the sheet to read; the first sheet (in tab order) when undefined. */
  sheet: string | undefined;
  /** Ends the rows quietly when it fires (SIGINT/SIGTERM). */
  signal: AbortSignal | undefined;
}

/** The chosen sheet's header (its first non-empty row) and its data rows. */
export interface XlsxRows {
  sheet: string;
  header: string[];
  rows: AsyncGenerator<RawRow, void, undefined>;
}

/** The parts of exceljs's streaming readers used here (its typings omit the sheet's name and the workbook model). */
interface SheetReader extends AsyncIterable<ExcelRow> {
  name?: string;
}
interface ExcelRow {
  number: number;
  values: unknown[] | Record<string, unknown>;
  getCell(column: number): { numFmt?: string };
}
interface WorkbookModel {
  model?: { sheets?: { name?: string }[] };
  properties?: { model?: { date1904?: boolean } };
}

const NOT_BLANK = /\S/;
const LISTED_SHEETS = 20;

/** Why waiting on the workbook stopped: the run was stopped, or the bytes under it failed. */
type Stop = { aborted: true } | { aborted: false; error: Error };

/**
 * Reads one sheet of an Excel workbook (SPEC §2) with exceljs's streaming reader, so rows stream like CSV rows: the
 * first sheet in tab order, or `--sheet NAME` (an unknown name is a UsageError listing the sheets there are). Every
 * cell becomes the text a user sees (formatCellText); `line` is the sheet's row number; empty rows are skipped like
 * blank CSV lines; the header is the first non-empty row, and shorter rows are padded to its width, since a workbook
 * does not store trailing empty cells. exceljs is loaded only for workbooks: it is large, and CSV runs never need it.
 *
 * Shared strings are held in memory (as Excel does), and a workbook whose strings come after its sheets (Excel's own
 * order) has its sheets parked in owner-only temp files by exceljs until then: memory and disk grow with the sheet.
 */
export async function readXlsxRows(input: XlsxInput): Promise<XlsxRows> {
  const { name } = input;
  const { default: ExcelJS } = await import('exceljs');
  const reader = new ExcelJS.stream.xlsx.WorkbookReader(input.stream, {
    worksheets: 'emit',
    sharedStrings: 'cache',
    // Number formats tell a date from a number.
    styles: 'cache',
    hyperlinks: 'ignore',
    entries: 'ignore',
  });
  const workbook = reader as unknown as WorkbookModel;
  const sheets = reader[Symbol.asyncIterator]() as AsyncIterator<SheetReader>;
  const step = createStepper(input);

  let found: SheetReader | undefined;
  let wanted = input.sheet;
  try {
    for (let next = await step(sheets.next()); !next.done; next = await step(sheets.next())) {
      const sheet = next.value;
      // Worksheets arrive in the zip's order; the first sheet is the first tab, which the workbook part names.
      wanted ??= workbook.model?.sheets?.[0]?.name ?? sheet.name;
      if (sheet.name !== undefined && wanted !== undefined && sameSheetName(sheet.name, wanted)) {
        found = sheet;
        break;
      }
    }
  } catch (error) {
    input.stream.destroy();
    throw error;
  }
  if (!found) {
    input.stream.destroy();
    if (input.signal?.aborted) throw new AbortError(`stopped by ${String(input.signal.reason)} while reading ${name}`);
    const names = (workbook.model?.sheets ?? []).flatMap((sheet) => (sheet.name === undefined ? [] : [sheet.name]));
    if (wanted === undefined || names.length === 0) {
      throw new UsageError(`${name} is a zip archive but not an Excel workbook (.xlsx): it holds no worksheet`);
    }
    throw new UsageError(`${name} has no sheet "${wanted}"; its sheets are ${describeSheets(names)}`);
  }

  const sheetName = found.name as string;
  const sheetRows = found[Symbol.asyncIterator]();
  async function* excelRows(): AsyncGenerator<ExcelRow, void, undefined> {
    for (let next = await step(sheetRows.next()); !next.done; next = await step(sheetRows.next())) yield next.value;
    // Read the workbook to its end, so the digest covers every byte and exceljs removes its temp files. Other
    // sheets are skipped unread.
    for (let next = await step(sheets.next()); !next.done; next = await step(sheets.next())) {}
  }
  const records = toRawRows(excelRows(), {
    name,
    sheet: sheetName,
    date1904: workbook.properties?.model?.date1904 === true,
    stream: input.stream,
  });
  const first = await records.next();
  if (first.done) {
    if (input.signal?.aborted) throw new AbortError(`stopped by ${String(input.signal.reason)} while reading ${name}`);
    throw new UsageError(`${name} has no header row: sheet "${sheetName}" is empty`);
  }
  const header = trimTrailingEmpty(first.value.cells);
  return { sheet: sheetName, header, rows: padRows(records, header.length) };
}

/**
 * The sheet's non-empty rows as RawRows: first the header (row 0), then the data rows numbered from 1, each with its
 * sheet row number as `line`. A row over the record limits is a UsageError, as in a CSV.
 */
async function* toRawRows(
  excelRows: AsyncGenerator<ExcelRow, void, undefined>,
  context: { name: string; sheet: string; date1904: boolean; stream: Readable },
): AsyncGenerator<RawRow, void, undefined> {
  const { name, sheet, date1904 } = context;
  let row = 0;
  let finished = false;
  try {
    for await (const excelRow of excelRows) {
      const values = Array.isArray(excelRow.values) ? excelRow.values : [];
      if (values.length - 1 > MAX_FIELDS) {
        throw new UsageError(`${name}: row ${excelRow.number} of sheet "${sheet}" has more than ${MAX_FIELDS} cells`);
      }
      const cells: string[] = [];
      let blank = true;
      let size = 0;
      // values[0] is unused: exceljs numbers columns from 1, like Excel.
      for (let column = 1; column < values.length; column++) {
        const value = values[column];
        const isFormula =
          typeof value === 'object' && value !== null && ('formula' in value || 'sharedFormula' in value);
        const text = formatCellText(value, isFormula ? excelRow.getCell(column).numFmt : undefined, date1904);
        if (blank && NOT_BLANK.test(text)) blank = false;
        size += text.length;
        cells.push(text);
      }
      if (size > MAX_RECORD_BYTES) {
        throw new UsageError(
          `${name}: row ${excelRow.number} of sheet "${sheet}" holds over ${MAX_RECORD_BYTES / 1024 / 1024} MB of text`,
        );
      }
      if (!blank) yield { row: row++, line: excelRow.number, cells };
    }
    finished = true;
  } finally {
    // Stopped early (an abort, an error): release the input.
    if (!finished) context.stream.destroy();
  }
}

/** Data rows padded to the header's width (a workbook drops trailing empty cells), and trimmed of empty ones past it. */
async function* padRows(
  records: AsyncGenerator<RawRow, void, undefined>,
  width: number,
): AsyncGenerator<RawRow, void, undefined> {
  for await (const record of records) {
    const { cells } = record;
    while (cells.length < width) cells.push('');
    while (cells.length > width && cells[cells.length - 1] === '') cells.pop();
    yield record;
  }
}

function trimTrailingEmpty(cells: string[]): string[] {
  let end = cells.length;
  while (end > 0 && cells[end - 1] === '') end--;
  return cells.slice(0, end);
}

/** Excel treats sheet names case-insensitively; so does `--sheet`. */
function sameSheetName(a: string, b: string): boolean {
  return a === b || a.trim().toLowerCase() === b.trim().toLowerCase();
}

function describeSheets(names: string[]): string {
  const listed = names.slice(0, LISTED_SHEETS).map((n) => `"${n}"`);
  if (names.length > LISTED_SHEETS) listed.push(`and ${names.length - LISTED_SHEETS} more`);
  return listed.join(', ');
}

/**
 * Waits on exceljs's iterators unless the run stops (the signal fires) or the bytes under the workbook fail first:
 * exceljs pipes its input into an unzipper that would otherwise wait for ever. A stop ends the iteration quietly;
 * every failure becomes one UsageError line. Not Promise.race against one long-lived "stopped" promise: every race
 * would leave a reaction on it, holding each row until the end of the file.
 */
function createStepper(input: XlsxInput): <T>(next: Promise<IteratorResult<T>>) => Promise<IteratorResult<T>> {
  let stop: Stop | undefined;
  let interrupt: ((stop: Stop) => void) | undefined;
  const halt = (reason: Stop) => {
    stop ??= reason;
    interrupt?.(stop);
  };
  if (input.signal?.aborted) halt({ aborted: true });
  input.signal?.addEventListener('abort', () => halt({ aborted: true }), { once: true });
  input.stream.once('error', (error) => halt({ aborted: false, error }));
  return async <T>(next: Promise<IteratorResult<T>>): Promise<IteratorResult<T>> => {
    // Left behind by a stop, the pending step may still reject later; that is already accounted for.
    next.catch(() => {});
    let result: IteratorResult<T> | Stop;
    try {
      result =
        stop ??
        (await new Promise<IteratorResult<T> | Stop>((resolve, reject) => {
          interrupt = resolve;
          next.then(resolve, reject);
        }));
    } catch (error) {
      if (input.signal?.aborted) return { done: true, value: undefined };
      throw describeWorkbookError(input.name, error as Error);
    } finally {
      interrupt = undefined;
    }
    if (!('aborted' in result)) return result;
    // A stop tears the input down, which can surface as an error of the bytes first.
    if (result.aborted || input.signal?.aborted) return { done: true, value: undefined };
    throw describeWorkbookError(input.name, result.error);
  };
}

function describeWorkbookError(name: string, error: Error): UsageError {
  if (error instanceof UsageError) return error;
  // unzipper's word for a zip that stops mid-entry.
  if (error.message === 'FILE_ENDED') return new UsageError(`${name} is an Excel workbook (.xlsx) that is cut short`);
  const detail = (error.message || String(error)).split('\n')[0]?.slice(0, 200);
  return new UsageError(`${name} cannot be read as an Excel workbook (.xlsx): ${detail}`);
}
