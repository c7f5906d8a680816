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
