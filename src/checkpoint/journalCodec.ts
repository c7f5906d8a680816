/**
 * How the run journal keeps values in SQLite, and how it reads many rows back: shared by its rooms.
 */
import type Database from 'better-sqlite3';
import type { Normalisation } from '../types.js';

/** Rows read per query when streaming a run's rows: paged `all()` costs less per row than a statement iterator. */
export const READ_PAGE = 2_000;

/** Diff values are strings, booleans or null; JSON keeps the three apart in one TEXT column. */
export function encodeValue(value: string | boolean | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

export function decodeValue(value: string | null): string | boolean | null {
  return value === null ? null : (JSON.parse(value) as string | boolean);
}

/** A review note as review_json keeps it: field, rule, input, written. */
export type EncodedNote = [Normalisation['field'], Normalisation['rule'], string, string];

export function encodeNote(note: Normalisation): EncodedNote {
  return [note.field, note.rule, note.input, note.written];
}

export function decodeNote([field, rule, input, written]: EncodedNote): Normalisation {
  return { field, rule, input, written };
}

/** A statement prepared the first time it is needed, then kept. */
export function prepareLater(db: Database.Database, sql: string): () => Database.Statement {
  let statement: Database.Statement | undefined;
  return () => {
    statement ??= db.prepare(sql);
    return statement;
  };
}

/**
 * A run's rows from a raw statement taking (runId, after, limit) whose rows start with their key (`row`, or a diff's
 * `seq`), in pages after `after`. A page is read whole, so nothing holds the connection between pages: the caller may
 * write while it reads.
 */
export function* readPages<T extends [number, ...unknown[]]>(
  statement: Database.Statement,
  runId: string,
  after = 0,
): Generator<T> {
  for (;;) {
    const page = statement.all(runId, after, READ_PAGE) as T[];
    yield* page;
    const last = page.at(-1);
    if (!last || page.length < READ_PAGE) return;
    after = last[0];
  }
}
