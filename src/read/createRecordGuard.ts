import { Transform } from 'node:stream';

/**
 * Largest record (all its bytes: cells, delimiters, quotes, line breaks inside quotes) read as data. Far above any
 * real customer record, so an oversized cell (a pasted document in "notes") is still a row-level rejection rather
 * than a file error; above it, the likeliest cause is a quote that is never closed, which would swallow the file.
 */
export const MAX_RECORD_BYTES = 10 * 1024 * 1024;
/** Most fields in one record: Excel's column limit. csv-parse holds a record's fields as an array (~50 bytes each). */
export const MAX_FIELDS = 16_384;
/**
 * Delimiters are counted only once a record is past this many bytes: a normal record costs no count at all. So a record
 * is refused somewhere between MAX_FIELDS and MAX_FIELDS + COUNT_FIELDS_FROM fields, never at MAX_FIELDS or fewer.
 */
export const COUNT_FIELDS_FROM = 1024;

const QUOTE = 0x22;
const LF = 0x0a;
const CR = 0x0d;

/** A record over a limit, found before csv-parse has buffered it. */
export class RecordLimitError extends Error {
  override name = 'RecordLimitError';
  constructor(
    readonly limit: 'bytes' | 'fields',
    /** File line (of the decoded text, 1-based) where the record starts. */
    readonly line: number,
  ) {
    super(`the record starting on line ${line} is over the ${limit} limit`);
  }
}

/**
 * A pass-through stage in front of csv-parse that refuses, with a RecordLimitError, a record over MAX_RECORD_BYTES or
 * with more than MAX_FIELDS fields, before the chunk that crosses the limit reaches the parser. csv-parse's own
 * `max_record_size` counts only the characters inside fields: a long line of delimiters slips under it while the
 * parser builds an array of empty strings until Node dies (a 150 MB line of commas: "invalid size error").
 *
 * It follows csv-parse's quoting rules (RFC 4180 with `relax_quotes`): a quote opens a quoted field only as a field's
 * first byte; inside, `""` is a quote and any other quote closes it; a line break outside quotes (CRLF, LF or CR)
 * ends the record. It runs over every byte of the file, so it jumps between quotes and line breaks with
 * Buffer.indexOf (memchr) and counts delimiters only in records already over COUNT_FIELDS_FROM bytes; a normal
 * record costs one indexOf and a few comparisons.
 *
 * Input: UTF-8 (the parser's input), a single-byte delimiter. Line numbers count line breaks as readRows does.
 */
export function createRecordGuard(delimiter: string): Transform {
  const delim = delimiter.charCodeAt(0);
  let started = false;
  let inQuotes = false;
  /** A quote ended the previous chunk inside quotes: the next byte tells `""` from a closing quote. */
  let quotePending = false;
  /** A CR ended the previous chunk: an LF starting this one belongs to it. */
  let crPending = false;
  let fieldStart = true;
  let recordBytes = 0;
  let delimiters = 0;
  let line = 1;
  let recordLine = 1;

  const scan = (buf: Buffer): RecordLimitError | undefined => {
    const n = buf.length;
    let i = 0;
    if (!started) {
      started = true;
      // csv-parse drops a UTF-8 BOM before parsing, so a quote right after it opens the first field.
      if (buf[0] === 0xef && buf[1] === 0xbb && buf[2] === 0xbf) i = 3;
    }
    if (crPending) {
      crPending = false;
      if (buf[i] === LF) i++;
    }
    if (quotePending && i < n) {
      quotePending = false;
      if (buf[i] === QUOTE) {
        i++;
        recordBytes++;
      } else {
        inQuotes = false;
        fieldStart = false;
      }
    }
    // Next positions of each byte that matters, at or after i; n when there is none in this chunk.
    let nextQuote = -1;
    let nextLf = -1;
    let nextCr = -1;
    const next = (byte: number, from: number): number => {
      const at = buf.indexOf(byte, from);
      return at === -1 ? n : at;
    };
    const find = (byte: number, cached: number): number => (cached >= i ? cached : next(byte, i));
    const tooLong = () => recordBytes > MAX_RECORD_BYTES;

    while (i < n) {
      nextQuote = find(QUOTE, nextQuote);
      if (inQuotes) {
        const end = nextQuote;
        // Line breaks inside a quoted field: counted for the line numbers, never the end of the record.
        for (nextLf = find(LF, nextLf); nextLf < end; nextLf = next(LF, nextLf + 1)) line++;
        for (nextCr = find(CR, nextCr); nextCr < end; nextCr = next(CR, nextCr + 1)) {
          // A CR ending the chunk counts now; an LF opening the next chunk is then its pair, not a new line.
          if (nextCr + 1 === n) crPending = true;
          if (buf[nextCr + 1] !== LF) line++;
        }
        recordBytes += end - i;
        if (end === n) {
          i = n;
          if (tooLong()) return new RecordLimitError('bytes', recordLine);
          break;
        }
        recordBytes++;
        i = end + 1;
        if (tooLong()) return new RecordLimitError('bytes', recordLine);
        if (i === n) {
          quotePending = true;
          break;
        }
        if (buf[i] === QUOTE) {
          i++;
          recordBytes++;
        } else {
          inQuotes = false;
          fieldStart = false;
        }
        continue;
      }

      if (fieldStart && buf[i] === QUOTE) {
        inQuotes = true;
        fieldStart = false;
        recordBytes++;
        i++;
        continue;
      }
      nextLf = find(LF, nextLf);
      nextCr = find(CR, nextCr);
      const lineEnd = Math.min(nextLf, nextCr);
      const end = Math.min(nextQuote, lineEnd);
      const length = end - i;
      if (length > 0) {
        if (recordBytes + length > COUNT_FIELDS_FROM) {
          for (let at = buf.indexOf(delim, i); at !== -1 && at < end; at = buf.indexOf(delim, at + 1)) delimiters++;
          if (delimiters >= MAX_FIELDS) return new RecordLimitError('fields', recordLine);
        }
        recordBytes += length;
        if (tooLong()) return new RecordLimitError('bytes', recordLine);
        fieldStart = buf[end - 1] === delim;
      }
      if (end === n) break;
      if (end === nextQuote) {
        // A quote that is not a field's first byte is text (O"Brien), as csv-parse's relax_quotes reads it.
        if (fieldStart) inQuotes = true;
        fieldStart = false;
        recordBytes++;
        i = end + 1;
        continue;
      }
      // A line break outside quotes: the record ends, the next starts on the next line.
      i = end + 1;
      if (buf[end] === CR) {
        if (i === n) crPending = true;
        else if (buf[i] === LF) i++;
      }
      line++;
      recordLine = line;
      recordBytes = 0;
      delimiters = 0;
      fieldStart = true;
    }
    return undefined;
  };

  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      const error = scan(chunk);
      // The chunk that crosses a limit never reaches the parser, so its memory stays bounded.
      if (error) callback(error);
      else callback(null, chunk);
    },
  });
}
