import type { Parser } from 'csv-parse';
import type { RawRow } from '../types.js';

/** Where the reading stands: the line the next record starts on, and the number the next non-blank record gets. */
export interface RecordPosition {
  line: number;
  /** The header is row 0, the first data row 1. */
  row: number;
}

const FORMULA_AFTER_QUOTE = /^'[=+\-@\t\r]/;
const NOT_BLANK = /\S/;

/**
 * Takes every record the parser has ready into `into`, each with its row number and the line its record starts on
 * (correct across quoted newlines), and moves `position` on. Blank records are skipped. A cell that a report
 * neutralised against formula injection (`'=…`) gets its `'` back off. Records are taken with read() rather than an
 * async iterator: after a parse error an iterator drops the records still buffered, and every one of them is needed to
 * know the line the failing record starts on.
 */
export function takeRecords(parser: Parser, position: RecordPosition, into: RawRow[]): void {
  for (let cells = parser.read() as string[] | null; cells !== null; cells = parser.read() as string[] | null) {
    const line = position.line;
    let blank = true;
    let breaks = 0;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string;
      if (cell.length === 0) continue;
      if (blank && NOT_BLANK.test(cell)) blank = false;
      if (cell.charCodeAt(0) === 39 && FORMULA_AFTER_QUOTE.test(cell)) cells[i] = cell.slice(1);
      if (cell.indexOf('\n') !== -1 || cell.indexOf('\r') !== -1) breaks += countLineBreaks(cell);
    }
    position.line += 1 + breaks;
    if (!blank) into.push({ row: position.row++, line, cells });
  }
}

/** Line breaks inside a (quoted) cell; CRLF counts once, like a record's own line ending. */
function countLineBreaks(cell: string): number {
  let breaks = 0;
  for (let i = 0; i < cell.length; i++) {
    const code = cell.charCodeAt(i);
    if (code === 10) breaks++;
    else if (code === 13) {
      breaks++;
      if (cell.charCodeAt(i + 1) === 10) i++;
    }
  }
  return breaks;
}
