import { Parser } from 'csv-parse';

/**
 * The csv-parse parser every CSV input is read with (SPEC §3), on the main thread or in a worker: RFC 4180, with or
 * without BOM, ragged rows passed on as they are (normalise rejects them).
 */
export function createCsvParser(delimiter: string): Parser {
  return new Parser({
    delimiter,
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    // A stray quote inside an unquoted field (O"Brien) is kept as text rather than failing the whole file.
    relax_quotes: true,
    // Listed, not auto-discovered: discovery fixes the first ending seen, and a file mixing CRLF and LF would then
    // glue lines together.
    record_delimiter: ['\r\n', '\n', '\r'],
  });
}
