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

  override push(record: unknown, encoding?: BufferEncoding): boolean {
    if (record !== null) {
      this.endLines.push(this.info.lines);
      this.emptyLinesAtLastPush = this.info.empty_lines;
    }
    return super.push(record, encoding);
  }
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
