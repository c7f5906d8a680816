import { Parser } from 'csv-parse';

/**
 * csv-parse, remembering for every record it pushes the line that record ends on, by csv-parse's own count (every
 * CR, LF or CRLF, inside quotes too). Empty lines are skipped inside the parser (`skip_empty_lines`): handed on as
 * records, each one would cost csv-parse the building of an error for a record shorter than the header (~20 µs, so a
 * file of blank lines took minutes), and with them gone from the records, only the parser's line count still places
 * the records after them.
 */
export class CsvRecordParser extends Parser {
  /** The line each record pushed and not yet taken ends on, in order from `endLinesTaken`. */
  readonly endLines: number[] = [];
  endLinesTaken = 0;
  /** Empty lines skipped before the last record pushed: those skipped since come before the next record. */
  emptyLinesAtLastPush = 0;

  constructor(options: ConstructorParameters<typeof Parser>[0]) {
    super(options);
    skipShortRecordErrors(this);
  }

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record !== null) {
      this.endLines.push(this.info.lines);
      this.emptyLinesAtLastPush = this.info.empty_lines;
    }
    return super.push(record, encoding);
  }
}

/** The parts of csv-parse 7's parser state used below (not in its typings). */
interface ParserInternals {
  api?: {
    __onRecord?: (this: unknown, push: unknown) => unknown;
    state?: { expectedRecordLength?: number; record?: unknown[] };
    info?: { records: number };
  };
}

/**
 * With `relax_column_count`, csv-parse still builds an error for every record whose length differs from the first
 * one's (deep-copying its context: ~20 µs), then drops it: a line of spaces, or any ragged row, cost as much as
 * reading fifty good rows. The record's length is made the expected one for that one call, so no error is built; the
 * record itself is unchanged. Only for the csv-parse this was written against: another one is left as it is (slower,
 * never wrong).
 */
function skipShortRecordErrors(parser: Parser): void {
  const api = (parser as unknown as ParserInternals).api;
  const onRecord = api?.__onRecord;
  const { state, info } = api ?? {};
  if (!api || typeof onRecord !== 'function' || !state || !info || !('expectedRecordLength' in state)) return;
  api.__onRecord = function (this: unknown, push: unknown) {
    const length = state.record?.length;
    const expected = state.expectedRecordLength;
    if (info.records === 0 || length === undefined || length === expected) return onRecord.call(this, push);
    state.expectedRecordLength = length;
    try {
      return onRecord.call(this, push);
    } finally {
      state.expectedRecordLength = expected;
    }
  };
}

/**
 * The csv-parse parser every CSV input is read with (SPEC §3), on the main thread or in a worker: RFC 4180, with or
 * without BOM, ragged rows passed on as they are (normalise rejects them), empty lines skipped.
 */
export function createCsvParser(delimiter: string): CsvRecordParser {
  return new CsvRecordParser({
    delimiter,
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    // A stray quote inside an unquoted field (O"Brien) is kept as text rather than failing the whole file.
    relax_quotes: true,
    // Listed, not auto-discovered: discovery fixes the first ending seen, and a file mixing CRLF and LF would then
    // glue lines together.
    record_delimiter: ['\r\n', '\n', '\r'],
    skip_empty_lines: true,
  });
}
