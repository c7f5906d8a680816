import { MAX_FIELDS, MAX_RECORD_BYTES } from './createRecordGuard.js';
import { formatCellText, formatSerialDate } from './formatCellText.js';
import { parseXmlPart, type XmlHandler } from './parseXmlPart.js';
import { decodeEscapes, type SharedStrings } from './readSharedStrings.js';

/** A row of a sheet: its number in the sheet, and every cell up to its last one as the text a user sees. */
export interface SheetRow {
  number: number;
  cells: string[];
}

/** What the cells of a sheet are read with. */
export interface SheetContext {
  strings: SharedStrings | undefined;
  /** By cell format index: whether a number in it is a date. */
  dateStyles: readonly boolean[];
  date1904: boolean;
}

/** A row this reader refuses: a cell past the column limit, a row over the size limit, a string it cannot find. */
export class SheetRowError extends Error {
  override name = 'SheetRowError';
  constructor(
    readonly kind: 'fields' | 'bytes' | 'string',
    readonly row: number,
    message: string,
  ) {
    super(message);
  }
}

/** Excel's last row; a larger `r` is no workbook Excel wrote, and the number must stay exact. */
const MAX_ROW = 2 ** 31 - 1;
const COLUMN = /^[A-Za-z]{1,3}/;

/**
 * Attributes of cells and rows are unqualified in SpreadsheetML, so they are read by name, not by attributeOf.
 *
 * The rows of a worksheet part (ECMA-376 §18.3.1.73 `sheetData`) as they stream, a batch per chunk of XML. A cell is
 * placed by its reference (`r="C7"`), or after the one before it when it has none; rows likewise. Values as a user
 * sees them: shared and inline strings (rich-text runs joined, phonetic guides left out), a formula's cached result,
 * TRUE/FALSE, numbers through formatCellText, numbers in a date format and ISO dates (`t="d"`) as dates; an error
 * value (`#N/A`) is the empty text.
 *
 * @throws SheetRowError for a cell past column 16,384, a row of over 10 MB of text, or a shared string the workbook
 *   does not hold; XmlRunError / Error as parseXmlPart
 */
export async function* readWorksheetRows(
  chunks: AsyncIterable<Buffer>,
  context: SheetContext,
): AsyncGenerator<SheetRow[], void, undefined> {
  let ready: SheetRow[] = [];
  let inSheetData = false;
  let row: (SheetRow & { size: number; lastColumn: number }) | undefined;
  let nextRow = 1;
  let cell: { column: number; type: string | undefined; style: number; value: string | undefined } | undefined;
  let inline: string | undefined;
  let collecting: 'value' | 'inline' | undefined;
  let phonetic = 0;

  const handler: XmlHandler = {
    open(name, attributes) {
      if (name === 'sheetData') inSheetData = true;
      else if (!inSheetData) return;
      else if (name === 'row') {
        const number = parseRowNumber(attributes.r, nextRow);
        row = { number, cells: [], size: 0, lastColumn: 0 };
      } else if (name === 'c' && row) {
        const column = parseColumn(attributes.r, row.lastColumn + 1);
        if (column > MAX_FIELDS) {
          throw new SheetRowError('fields', row.number, `has more than ${MAX_FIELDS} cells`);
        }
        cell = {
          column,
          type: attributes.t,
          style: Number(attributes.s ?? 0),
          value: undefined,
        };
        inline = undefined;
      } else if (!cell) return;
      else if (name === 'v') {
        cell.value = '';
        collecting = 'value';
      } else if (name === 'is') inline = '';
      else if (name === 'rPh') phonetic++;
      else if (name === 't' && inline !== undefined && phonetic === 0) collecting = 'inline';
    },
    close(name) {
      if (name === 'sheetData') inSheetData = false;
      else if (name === 'v' || name === 't') collecting = undefined;
      else if (name === 'rPh') phonetic--;
      else if (name === 'c' && row && cell) {
        const text = cellText(cell, inline, context, row.number);
        const { cells } = row;
        while (cells.length < cell.column - 1) cells.push('');
        cells[cell.column - 1] = text;
        row.lastColumn = cell.column;
        row.size += text.length;
        if (row.size > MAX_RECORD_BYTES) {
          throw new SheetRowError('bytes', row.number, `holds over ${MAX_RECORD_BYTES / 1024 / 1024} MB of text`);
        }
        cell = undefined;
        inline = undefined;
      } else if (name === 'row' && row) {
        ready.push({ number: row.number, cells: row.cells });
        nextRow = row.number + 1;
        row = undefined;
      }
    },
    text(text) {
      if (collecting === undefined || !cell || !row) return;
      if (collecting === 'value') cell.value += text;
      else inline += text;
      if ((cell.value?.length ?? 0) + (inline?.length ?? 0) > MAX_RECORD_BYTES) {
        throw new SheetRowError('bytes', row.number, `holds over ${MAX_RECORD_BYTES / 1024 / 1024} MB of text`);
      }
    },
  };

  for await (const _ of parseXmlPart(chunks, handler, MAX_RECORD_BYTES)) {
    if (ready.length === 0) continue;
    const batch = ready;
    ready = [];
    yield batch;
  }
}

function cellText(
  cell: { type: string | undefined; style: number; value: string | undefined },
  inline: string | undefined,
  context: SheetContext,
  rowNumber: number,
): string {
  const { value } = cell;
  switch (cell.type) {
    case 's': {
      if (value === undefined || value.trim() === '') return '';
      const text = context.strings?.get(Number(value));
      if (text === undefined) {
        throw new SheetRowError(
          'string',
          rowNumber,
          `refers to shared string ${value.trim()}, which the workbook lacks`,
        );
      }
      return text;
    }
    case 'inlineStr':
      return decodeText(inline ?? value ?? '');
    case 'str':
      return decodeText(value ?? '');
    case 'b': {
      const flag = value?.trim();
      return flag === '1' || flag === 'true' ? 'TRUE' : flag === '0' || flag === 'false' ? 'FALSE' : '';
    }
    case 'e':
      // #N/A, #REF!: no value at all, never sent as if it were a name.
      return '';
    case 'd': {
      if (value === undefined || value.trim() === '') return '';
      const iso = value.trim();
      // A date-time without a zone is the workbook's own clock, shown as it is, as every other date here.
      return formatCellText(new Date(/[zZ]|[+-]\d\d:?\d\d$/.test(iso) || !iso.includes('T') ? iso : `${iso}Z`));
    }
    default: {
      if (value === undefined) return inline === undefined ? '' : decodeText(inline);
      if (value.trim() === '') return '';
      const number = Number(value);
      if (Number.isNaN(number)) return '';
      return context.dateStyles[cell.style] === true
        ? formatSerialDate(number, context.date1904)
        : formatCellText(number);
    }
  }
}

function decodeText(text: string): string {
  return text.includes('_x') ? decodeEscapes(text) : text;
}

function parseRowNumber(text: string | undefined, next: number): number {
  if (text === undefined) return next;
  const number = Number(text);
  return Number.isInteger(number) && number >= 1 && number <= MAX_ROW ? number : next;
}

/** `C7` → 3; a reference past three letters is past Excel's last column. */
function parseColumn(reference: string | undefined, next: number): number {
  if (reference === undefined) return next;
  const letters = COLUMN.exec(reference)?.[0];
  if (letters === undefined) return next;
  if (/^[A-Za-z]/.test(reference.slice(letters.length))) return MAX_FIELDS + 1;
  let column = 0;
  for (const letter of letters.toUpperCase()) column = column * 26 + (letter.charCodeAt(0) - 64);
  return column;
}
