import type { PreparedRow } from '../check/prepareRow.js';
import type { RawRow } from '../types.js';
import { createCsvParser } from './createCsvParser.js';
import { nextRecordLine, type RecordPosition, takeRecords } from './takeRecords.js';

/**
 * Records in file order, the header first: as read, or (a worker asked to prepare them, past the header) prepared for
 * staging by prepareRow.
 */
export type RowBatch = { prepared: false; rows: RawRow[] } | { prepared: true; rows: PreparedRow[] };

/** csv-parse as the reader drives it, on this thread or in a worker: bytes in, numbered records out. */
export interface RecordParser {
  /** Where the text's bytes are written: the end of the read pipeline. */
  input: NodeJS.WritableStream;
  /** Records parsed and not taken yet, blank ones skipped, in order; undefined when none is ready. */
  take(): RowBatch | undefined;
  /** The line the record after the last one taken starts on: where a failure found after it is placed. */
  nextLine(): number;
  /** Why parsing stopped, once every record before the failure has been taken. */
  failure(): Error | undefined;
  /** True once every record has been parsed. */
  ended(): boolean;
  /** `listener` is called whenever there may be records to take, a failure or the end. */
  onChange(listener: () => void): void;
  /**
   * Whether the parser keeps the process alive: only while the reader waits for it, so that a reading abandoned
   * half-way (a run that stopped for another reason) never holds the process open.
   */
  keepAlive(waiting: boolean): void;
  /** Stops parsing and lets go of what it holds; harmless once ended. */
  close(): void;
}

/** Parses on this thread: records wait in the parser until taken, which holds the reading back. */
export function startCsvParser(delimiter: string): RecordParser {
  const parser = createCsvParser(delimiter);
  const position: RecordPosition = { line: 1, row: 0, excess: 0 };
  let failure: Error | undefined;
  let ended = false;
  let listener = () => {};
  parser.on('readable', () => listener());
  parser.on('end', () => {
    ended = true;
    listener();
  });
  parser.on('error', (error) => {
    failure ??= error;
    listener();
  });
  return {
    input: parser,
    take() {
      const rows: RawRow[] = [];
      takeRecords(parser, position, rows);
      return rows.length === 0 ? undefined : { prepared: false, rows };
    },
    nextLine: () => nextRecordLine(parser, position),
    failure: () => failure,
    ended: () => ended,
    onChange(next) {
      listener = next;
    },
    // The input stream keeps the process alive while it reads; a parser on this thread holds nothing of its own.
    keepAlive() {},
    close() {
      parser.destroy();
    },
  };
}
