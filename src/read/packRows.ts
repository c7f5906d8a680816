import type { PreparedRow } from '../check/prepareRow.js';
import type { RawRow } from '../types.js';

/**
 * Packs records to cross to another thread: one flat list of cells and, per record, its row, line and number of cells.
 * A structured clone of strings and numbers costs far less than one of a small object per record.
 */
export function packRows(rows: readonly RawRow[]): { cells: string[]; shape: Int32Array } {
  const shape = new Int32Array(rows.length * 3);
  const cells: string[] = [];
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as RawRow;
    shape[r * 3] = row.row;
    shape[r * 3 + 1] = row.line;
    shape[r * 3 + 2] = row.cells.length;
    for (const cell of row.cells) cells.push(cell);
  }
  return { cells, shape };
}

/** The records packRows packed. */
export function unpackRows(cells: readonly string[], shape: Int32Array): RawRow[] {
  const rows: RawRow[] = new Array(shape.length / 3);
  let next = 0;
  for (let i = 0, r = 0; i < shape.length; i += 3, r++) {
    const count = shape[i + 2] as number;
    rows[r] = { row: shape[i] as number, line: shape[i + 1] as number, cells: cells.slice(next, next + count) };
    next += count;
  }
  return rows;
}

/** Prepared rows packed to cross to another thread (packPreparedRows). */
export interface PackedPreparedRows {
  /**
   * Every text of every row, one after the other, in pieces of whole rows: a few strings cross far faster than
   * thousands, and a piece stays small enough for the young generation (a string past ~128 KB would be kept until a
   * full collection).
   */
  texts: string[];
  /** Per row, where each of its PREPARED_TEXTS texts ends in its piece. */
  ends: Int32Array;
  /** Per row: its row, line, verdict (index in VERDICTS), how many rules of `rules` are its, and its piece. */
  shape: Int32Array;
  /** The rules of every row, in row order. */
  rules: Int32Array;
}

const VERDICTS = ['passed', 'rejected', 'skipped'] as const;
/**
 * cellsJson, username, reason, hash, customerJson, reviewJson, offendingJson. The last four are never '' when
 * present, so an empty one stands for none.
 */
const PREPARED_TEXTS = 7;
const SHAPE = 5;
/** A piece of text is closed once it is this long (characters; two bytes each at most). */
const PIECE_LENGTH = 16 * 1024;

/**
 * Packs prepared rows like packRows packs records. A customer crosses as its JSON, and only when `keepCustomers` (a
 * run that may leave rows open: sync); otherwise it stays behind.
 */
export function packPreparedRows(rows: readonly PreparedRow[], keepCustomers: boolean): PackedPreparedRows {
  const shape = new Int32Array(rows.length * SHAPE);
  const ends = new Int32Array(rows.length * PREPARED_TEXTS);
  const rules: number[] = [];
  const texts: string[] = [];
  let piece = '';
  const put = (at: number, text: string) => {
    piece += text;
    ends[at] = piece.length;
  };
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r] as PreparedRow;
    if (piece.length >= PIECE_LENGTH) {
      texts.push(piece);
      piece = '';
    }
    shape[r * SHAPE] = row.row;
    shape[r * SHAPE + 1] = row.line;
    shape[r * SHAPE + 2] = VERDICTS.indexOf(row.verdict);
    shape[r * SHAPE + 3] = row.rules.length;
    shape[r * SHAPE + 4] = texts.length;
    for (const rule of row.rules) rules.push(rule);
    const at = r * PREPARED_TEXTS;
    put(at, row.cellsJson);
    put(at + 1, row.username);
    put(at + 2, row.reason);
    put(at + 3, row.hash ?? '');
    put(at + 4, keepCustomers && row.customer ? JSON.stringify(row.customer) : (row.customerJson ?? ''));
    put(at + 5, row.reviewJson ?? '');
    put(at + 6, row.offendingJson ?? '');
  }
  texts.push(piece);
  return { texts, ends, shape, rules: Int32Array.from(rules) };
}

/** The rows packPreparedRows packed; a customer is there as its JSON only. */
export function unpackPreparedRows({ texts, ends, shape, rules }: PackedPreparedRows): PreparedRow[] {
  const rows: PreparedRow[] = new Array(shape.length / SHAPE);
  let nextRule = 0;
  let text = '';
  let start = 0;
  const next = (at: number): string => {
    const end = ends[at] as number;
    const slice = text.slice(start, end);
    start = end;
    return slice;
  };
  const nextOrNone = (at: number): string | undefined => {
    const slice = next(at);
    return slice === '' ? undefined : slice;
  };
  let piece = -1;
  for (let i = 0, r = 0; i < shape.length; i += SHAPE, r++) {
    if (shape[i + 4] !== piece) {
      piece = shape[i + 4] as number;
      text = texts[piece] as string;
      start = 0;
    }
    const ruleCount = shape[i + 3] as number;
    const at = r * PREPARED_TEXTS;
    rows[r] = {
      row: shape[i] as number,
      line: shape[i + 1] as number,
      cellsJson: next(at),
      verdict: VERDICTS[shape[i + 2] as number] as PreparedRow['verdict'],
      username: next(at + 1),
      reason: next(at + 2),
      hash: nextOrNone(at + 3),
      customer: undefined,
      customerJson: nextOrNone(at + 4),
      rules: ruleCount === 0 ? NO_RULES : Array.from(rules.subarray(nextRule, nextRule + ruleCount)),
      reviewJson: nextOrNone(at + 5),
      offendingJson: nextOrNone(at + 6),
    };
    nextRule += ruleCount;
  }
  return rows;
}

const NO_RULES: readonly number[] = Object.freeze([]);
