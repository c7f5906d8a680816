import { AbortError, UsageError } from '../errors.js';
import type { RawRow } from '../types.js';
import { MAX_RECORD_BYTES } from './createRecordGuard.js';
import { openZipArchive, type RandomAccess, type ZipEntry, ZipFormatError } from './openZipArchive.js';
import { parseXmlPart, XmlRunError } from './parseXmlPart.js';
import { readSharedStrings, type SharedStrings, SharedStringsLimitError } from './readSharedStrings.js';
import { MAX_CELL_FORMATS, type PartReader, readDateStyles, readWorkbookLayout } from './readWorkbookLayout.js';
import { readWorksheetRows, type SheetRow, SheetRowError } from './readWorksheetRows.js';

/** How far a workbook may take the reader: every limit is one line and exit 2 when crossed. */
export interface XlsxLimits {
  /** Most bytes the parts read (workbook, styles, shared strings, the sheet) may decompress to, together. */
  inflatedBytes: number;
  /** Most shared strings (the workbook's distinct texts, held in memory while the sheet is read). */
  sharedStrings: number;
  /** Most bytes of text (UTF-8) in the shared strings, together. */
  sharedStringBytes: number;
  /** Most bytes of a workbook read from standard input, which is spooled to a private file first. */
  spooledBytes: number;
}

/**
 * Far above any workbook Excel writes (1,048,576 rows): a full sheet of customers is a few hundred MB of XML and a
 * few million strings. Shared strings are held packed (~9 bytes each beside their text), so at the limits they take
 * about 300 MB; the sheet itself streams.
 */
export const XLSX_LIMITS: XlsxLimits = {
  inflatedBytes: 2 * 1024 * 1024 * 1024,
  sharedStrings: 5_000_000,
  sharedStringBytes: 128 * 1024 * 1024,
  spooledBytes: 1024 * 1024 * 1024,
};

/** A workbook input: its bytes at any offset, and which sheet to read. */
export interface XlsxInput {
  /** How messages name the input: its path, or "standard input". */
  name: string;
  /** The workbook's bytes; closed by the reader once the rows end, fail or are abandoned. */
  file: RandomAccess & { close(): unknown };
  /** Settles once the input has been read whole as given (its digest), which the rows wait for before they end. */
  drained: Promise<void>;
  /** `--sheet`: the sheet to read; the first sheet (in tab order) when undefined. */
  sheet: string | undefined;
  /** Ends the rows quietly when it fires (SIGINT/SIGTERM). */
  signal: AbortSignal | undefined;
  limits: XlsxLimits;
}

/** The chosen sheet's header (its first non-empty row) and its data rows. */
export interface XlsxRows {
  sheet: string;
  header: string[];
  rows: AsyncGenerator<RawRow, void, undefined>;
}

const NOT_BLANK = /\S/;
const LISTED_SHEETS = 20;

/** The run stopped (SIGINT/SIGTERM) while a part was read. */
class Stopped extends Error {}

/**
 * Reads one sheet of an Excel workbook (SPEC §2), its parts taken by the zip's directory in the order the reading
 * needs them (workbook, styles, shared strings, then the sheet, streamed), whatever their order in the file: no
 * part is ever parked on disk or in memory, and nothing is written anywhere. The first sheet in tab order, or
 * `--sheet NAME` (case-insensitive; an unknown name is a UsageError listing the sheets there are). Every cell becomes
 * the text a user sees (readWorksheetRows); `line` is the sheet's row number; empty rows are skipped like blank CSV
 * lines; the header is the first non-empty row, and shorter rows are padded to its width, since a workbook does not
 * store trailing empty cells.
 *
 * Bounded whatever the workbook says of itself: what its parts declare they decompress to is checked against
 * `limits.inflatedBytes` before any is read, and what they do decompress to is counted as they are read; the shared
 * strings, the one part held in memory, against their own count and size limits; one row as a CSV record.
 */
export async function readXlsxRows(input: XlsxInput): Promise<XlsxRows> {
  const { name, limits } = input;
  let released = false;
  const release = () => {
    if (released) return;
    released = true;
    void Promise.resolve(input.file.close()).catch(() => {});
  };
  let budget = limits.inflatedBytes;
  const reserve = (entries: (ZipEntry | undefined)[]) => {
    const declared = entries.reduce((sum, entry) => sum + (entry?.uncompressedSize ?? 0), 0);
    if (declared > budget) {
      throw new UsageError(
        `${name} is an Excel workbook whose parts decompress to over ${formatSize(limits.inflatedBytes)}, more than this tool reads from one; save the sheet as CSV (gzip it if it is large)`,
      );
    }
  };
  const stopIfAsked = () => {
    if (input.signal?.aborted) throw new Stopped();
  };

  try {
    const archive = await openZipArchive(input.file);
    const read: PartReader = async (entry, handler) => {
      reserve([entry]);
      budget -= entry.uncompressedSize;
      await withPart(entry, async () => {
        for await (const _ of parseXmlPart(archive.inflate(entry), handler, MAX_RECORD_BYTES)) stopIfAsked();
      });
    };
    const layout = await readWorkbookLayout(archive, read);
    const sheet = chooseSheet(name, layout.sheets, input.sheet);
    const sheetEntry = sheet.part === undefined ? undefined : archive.find(sheet.part);
    if (!sheet.isWorksheet || sheetEntry === undefined) {
      throw new UsageError(`${name}: sheet "${sheet.name}" holds no cells (a chart or a dialog, not a worksheet)`);
    }
    const stringsEntry = layout.sharedStrings === undefined ? undefined : archive.find(layout.sharedStrings);
    const stylesEntry = layout.styles === undefined ? undefined : archive.find(layout.styles);
    // All three at once, so a sheet too large to read is refused before the strings are spent on.
    reserve([sheetEntry, stringsEntry, stylesEntry]);

    const dateStyles = stylesEntry ? await readDateStyles(stylesEntry, read) : [];
    let strings: SharedStrings | undefined;
    if (stringsEntry) {
      reserve([stringsEntry]);
      budget -= stringsEntry.uncompressedSize;
      strings = await withPart(stringsEntry, () =>
        readSharedStrings(stopping(archive.inflate(stringsEntry), stopIfAsked), {
          count: limits.sharedStrings,
          bytes: limits.sharedStringBytes,
          stringChars: MAX_RECORD_BYTES,
        }),
      );
    }
    reserve([sheetEntry]);
    budget -= sheetEntry.uncompressedSize;

    const sheetRows = readWorksheetRows(archive.inflate(sheetEntry), {
      strings,
      dateStyles,
      date1904: layout.date1904,
    });
    const records = toRawRows(sheetRows, sheetEntry, { ...input, sheet: sheet.name, release });
    const first = await records.next();
    if (first.done) {
      if (input.signal?.aborted) throw new Stopped();
      throw new UsageError(`${name} has no header row: sheet "${sheet.name}" is empty`);
    }
    const header = trimTrailingEmpty(first.value.cells);
    return { sheet: sheet.name, header, rows: padRows(records, header.length) };
  } catch (error) {
    release();
    if (error instanceof Stopped || input.signal?.aborted) {
      throw new AbortError(`stopped by ${String(input.signal?.reason)} while reading ${name}`);
    }
    throw describeWorkbookError(name, error as Error, input.sheet, limits);
  }
}

function chooseSheet(
  name: string,
  sheets: { name: string; part: string | undefined; isWorksheet: boolean }[],
  wanted: string | undefined,
) {
  if (sheets.length === 0) {
    throw new UsageError(`${name} is a zip archive but not an Excel workbook (.xlsx): it holds no worksheet`);
  }
  const sheet = wanted === undefined ? sheets[0] : sheets.find((s) => sameSheetName(s.name, wanted));
  if (!sheet) {
    throw new UsageError(
      `${name} has no sheet "${wanted}"; its sheets are ${describeSheets(sheets.map((s) => s.name))}`,
    );
  }
  return sheet;
}

/**
 * The sheet's non-empty rows as RawRows: first the header (row 0), then the data rows numbered from 1, each with its
 * sheet row number as `line`. At the end, waits for the input to have been read whole (its digest); a stop ends the
 * rows quietly; an abandoned or failed reading lets the file go.
 */
async function* toRawRows(
  sheetRows: AsyncGenerator<SheetRow[], void, undefined>,
  entry: ZipEntry,
  context: XlsxInput & { sheet: string; release: () => void },
): AsyncGenerator<RawRow, void, undefined> {
  const { name, sheet, signal } = context;
  let row = 0;
  try {
    for (;;) {
      let next: IteratorResult<SheetRow[], void>;
      try {
        next = await withPart(entry, () => sheetRows.next());
      } catch (error) {
        if (signal?.aborted) return;
        throw describeWorkbookError(name, error as Error, sheet, context.limits);
      }
      if (next.done) break;
      for (const sheetRow of next.value) {
        const { cells } = sheetRow;
        if (cells.some((cell) => NOT_BLANK.test(cell))) yield { row: row++, line: sheetRow.number, cells };
      }
      if (signal?.aborted) return;
    }
    try {
      await context.drained;
    } catch (error) {
      if (signal?.aborted) return;
      throw new UsageError(`${name} cannot be read: ${(error as Error).message}`);
    }
  } finally {
    await sheetRows.return();
    context.release();
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

/** A part's chunks, checking for a stop between them. */
async function* stopping(chunks: AsyncGenerator<Buffer>, stopIfAsked: () => void): AsyncGenerator<Buffer> {
  for await (const chunk of chunks) {
    stopIfAsked();
    yield chunk;
  }
}

/** Runs a step of reading one part; a failure of its XML is told with the part's name. */
async function withPart<T>(entry: ZipEntry, step: () => Promise<T>): Promise<T> {
  try {
    return await step();
  } catch (error) {
    if (error instanceof XmlRunError)
      throw new PartError(entry, `holds more than ${formatSize(MAX_RECORD_BYTES)} without a tag`);
    if (
      error instanceof UsageError ||
      error instanceof ZipFormatError ||
      error instanceof SharedStringsLimitError ||
      error instanceof SheetRowError ||
      error instanceof Stopped ||
      error instanceof PartError
    ) {
      throw error;
    }
    if (error instanceof RangeError) throw new PartError(entry, `lists more than ${MAX_CELL_FORMATS} cell formats`);
    throw new PartError(entry, `is not well-formed XML (${firstLine((error as Error).message)})`);
  }
}

class PartError extends Error {
  constructor(entry: ZipEntry, problem: string) {
    super(`its part ${entry.name} ${problem}`);
  }
}

function describeWorkbookError(name: string, error: Error, sheet: string | undefined, limits: XlsxLimits): UsageError {
  if (error instanceof UsageError) return error;
  if (error instanceof SharedStringsLimitError) {
    return new UsageError(
      `${name} ${describeStringsLimit(error, limits)}, more than this tool reads from a workbook; save the sheet as CSV`,
    );
  }
  if (error instanceof SheetRowError) {
    return new UsageError(`${name}: row ${error.row} of sheet "${sheet}" ${error.message}`);
  }
  if (error instanceof ZipFormatError && error.kind === 'cut') {
    return new UsageError(
      error.message === 'no zip directory at its end'
        ? `${name} is cut short: an Excel workbook ends with its zip directory, and this file has none; save or copy it again`
        : `${name} is an Excel workbook (.xlsx) that is cut short (${error.message})`,
    );
  }
  return new UsageError(`${name} cannot be read as an Excel workbook (.xlsx): ${firstLine(error.message)}`);
}

function describeStringsLimit(error: SharedStringsLimitError, limits: XlsxLimits): string {
  switch (error.limit) {
    case 'count':
      return `holds more than ${limits.sharedStrings.toLocaleString('en-US')} shared strings (distinct texts)`;
    case 'bytes':
      return `holds over ${formatSize(limits.sharedStringBytes)} of shared strings (distinct texts)`;
    default:
      return `holds a shared string of over ${formatSize(MAX_RECORD_BYTES)}`;
  }
}

function firstLine(text: string): string {
  return (text.split('\n')[0] ?? '').slice(0, 200);
}

/** A size as limits are told: `2 GB`, `256 MB`, `1000 bytes`. */
export function formatSize(bytes: number): string {
  if (bytes >= 1024 * 1024 * 1024) return `${Number((bytes / 1024 / 1024 / 1024).toFixed(1))} GB`;
  if (bytes >= 1024 * 1024) return `${Number((bytes / 1024 / 1024).toFixed(1))} MB`;
  return `${bytes} bytes`;
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
