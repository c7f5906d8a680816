import type { RawRow } from '../types.js';
import type { CsvRecordParser } from './createCsvParser.js';

/** Where the reading stands: the line after the last record taken, and the number the next non-blank record gets. */
export interface RecordPosition {
  line: number;
  /** The header is row 0, the first data row 1. */
  row: number;
  /**
   * Lines the parser counted and this count does not: csv-parse counts CR and LF apart inside quotes, so a CRLF in a
   * cell is two lines to it and one here (as in every editor, and as the record guard counts).
   */
  excess: number;
}

const FORMULA_AFTER_QUOTE = /^'[=+\-@\t\r]/;
const NOT_BLANK = /\S/;
/** Taken end lines are dropped from the front of the list once this many have gathered. */
const COMPACT_FROM = 1024;

/**
 * Takes every record the parser has ready into `into`, each with its row number and the line its record starts on
 * (the line it ends on, by the parser's count, less the line breaks inside its cells), and moves `position` on.
 * Records that are blank (only whitespace and delimiters) are skipped; empty lines never reach here. A cell that a
 * report neutralised against formula injection (`'=…`) gets its `'` back off. Records are taken with read() rather
 * than an async iterator: after a parse error an iterator drops the records still buffered, and every one of them
 * is needed to know the line the failing record starts on.
 */
export function takeRecords(parser: CsvRecordParser, position: RecordPosition, into: RawRow[]): void {
  const { endLines } = parser;
  for (let cells = parser.read() as string[] | null; cells !== null; cells = parser.read() as string[] | null) {
    const end = endLines[parser.endLinesTaken++] as number;
    let blank = true;
    let breaks = 0;
    let parserBreaks = 0;
    for (let i = 0; i < cells.length; i++) {
      const cell = cells[i] as string;
      if (cell.length === 0) continue;
      if (blank && NOT_BLANK.test(cell)) blank = false;
      if (cell.charCodeAt(0) === 39 && FORMULA_AFTER_QUOTE.test(cell)) cells[i] = cell.slice(1);
      if (cell.indexOf('\n') !== -1 || cell.indexOf('\r') !== -1) {
        const counted = countLineBreaks(cell);
        breaks += counted.lines;
        parserBreaks += counted.characters;
      }
    }
    const line = end - position.excess - parserBreaks;
    position.excess += parserBreaks - breaks;
    position.line = line + breaks + 1;
    if (!blank) into.push({ row: position.row++, line, cells });
  }
  if (parser.endLinesTaken >= COMPACT_FROM || parser.endLinesTaken === endLines.length) {
    endLines.splice(0, parser.endLinesTaken);
    parser.endLinesTaken = 0;
  }
}

/**
 * The line the record after the last one taken starts on, once every record parsed has been taken: where a failure
 * found after it (a quote never closed) is placed. Empty lines the parser skipped since then come before it.
 */
export function nextRecordLine(parser: CsvRecordParser, position: RecordPosition): number {
  return position.line + parser.info.empty_lines - parser.emptyLinesAtLastPush;
}

/** Line breaks inside a (quoted) cell: `lines` counts CRLF once, like a record's own ending; `characters` twice. */
function countLineBreaks(cell: string): { lines: number; characters: number } {
  let lines = 0;
  let characters = 0;
  for (let i = 0; i < cell.length; i++) {
    const code = cell.charCodeAt(i);
    if (code === 10) {
      lines++;
      characters++;
    } else if (code === 13) {
      lines++;
      characters++;
      if (cell.charCodeAt(i + 1) === 10) {
        i++;
        characters++;
      }
    }
  }
  return { lines, characters };
}
