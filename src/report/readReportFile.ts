import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { COUNT_FIELDS_FROM, MAX_FIELDS, MAX_RECORD_BYTES } from '../read/createRecordGuard.js';
import { describeFsError } from '../shared/describeFsError.js';

/** Bytes read from a report file at a time. */
const CHUNK_BYTES = 256 * 1024;
/** Records handed to csv-parse at a time: one call per batch, not per line; a batch also ends past BATCH_BYTES. */
const BATCH_RECORDS = 1_000;
const BATCH_BYTES = 4 * 1024 * 1024;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);
const QUOTE = 0x22;
const LF = 0x0a;
const COMMA = 0x2c;

/** How large a report's files may be before a merge refuses them as no report of this tool. */
export interface ReportFileLimits {
  /** Bytes in one CSV record, its quotes and line breaks included. */
  recordBytes: number;
  /** Fields in one CSV record. */
  fields: number;
  /** Bytes of report.json. */
  jsonBytes: number;
}

/**
 * The input's record limits (createRecordGuard) as a report can hold them: a rejects.csv line is an input record
 * (at most MAX_RECORD_BYTES, and up to COUNT_FIELDS_FROM fields past MAX_FIELDS before the guard counts them) whose
 * cells may come back quoted with their quotes doubled, plus `_row` and `_reason`. report.json holds a summary: a few
 * kilobytes, far under its limit.
 */
export const REPORT_FILE_LIMITS: ReportFileLimits = {
  recordBytes: 3 * MAX_RECORD_BYTES,
  fields: MAX_FIELDS + COUNT_FIELDS_FROM + 2,
  jsonBytes: 16 * 1024 * 1024,
};

/** A file of an earlier report, opened for reading: its records one at a time, or its whole text. */
export interface ReportFile {
  /** The file's CSV records in order (the header first), read a chunk at a time so memory stays flat. */
  records(): Generator<string[], void, undefined>;
  /** The whole text (for report.json), up to the limit on its size. */
  text(): string;
}

/**
 * Opens `name` in the report folder `dir` for reading (report --merge). Only a plain file is read: a symlink is not
 * followed and a pipe or device is refused without blocking, so a folder someone else can write to cannot make this
 * process read elsewhere or hang. Returns undefined when there is no such file.
 *
 * The CSV reader is for the files this tool writes (RFC 4180, `\n` line ends, a byte order mark on some): records
 * end at a line break outside quotes, and each batch of them is parsed by csv-parse, so quoting is read exactly as the
 * input reader reads it. The cells come back as they stand in the file (still neutralised against formulas). A
 * record over `limits` (a file of no newline, a line of commas) is refused once the reader is past the limit, never
 * held whole: memory stays within the limit whatever the file's size.
 *
 * @throws UsageError naming the file when it is a symlink, not a plain file, over a limit, or cannot be read
 */
export function openReportFile(
  dir: string,
  name: string,
  limits: ReportFileLimits = REPORT_FILE_LIMITS,
): ReportFile | undefined {
  const file = path.join(dir, name);
  let stat: fs.Stats | undefined;
  try {
    stat = fs.lstatSync(file, { throwIfNoEntry: false });
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${describeFsError(error)}`);
  }
  if (stat === undefined) return undefined;
  if (stat.isSymbolicLink()) {
    throw new UsageError(
      `${file} is a symbolic link, which a merge does not follow; pass the shard's own report folder`,
    );
  }
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  const open = (): { fd: number; size: number } => {
    let fd: number;
    try {
      fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
    } catch (error) {
      throw new UsageError(`cannot read ${file}: ${describeFsError(error)}`);
    }
    const opened = fs.fstatSync(fd);
    if (!opened.isFile()) {
      fs.closeSync(fd);
      throw new UsageError(`${file} is not a plain file; is ${dir} a report folder?`);
    }
    return { fd, size: opened.size };
  };
  return {
    *records() {
      const { fd } = open();
      try {
        yield* readRecords(fd, file, dir, limits);
      } finally {
        fs.closeSync(fd);
      }
    },
    text() {
      const { fd, size } = open();
      try {
        if (size > limits.jsonBytes) throw tooLarge(file, dir, limits.jsonBytes);
        // Read to the limit and one byte past it: a file that grew since fstat is refused all the same.
        const buffer = Buffer.alloc(Math.min(size, limits.jsonBytes) + 1);
        let length = 0;
        for (let read = 1; read > 0 && length < buffer.length; length += read) {
          read = fs.readSync(fd, buffer, length, buffer.length - length, null);
        }
        if (length > limits.jsonBytes) throw tooLarge(file, dir, limits.jsonBytes);
        return buffer.toString('utf8', 0, length);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

function* readRecords(
  fd: number,
  file: string,
  dir: string,
  limits: ReportFileLimits,
): Generator<string[], void, undefined> {
  let batch: Buffer[] = [];
  let batchBytes = 0;
  const flush = function* (): Generator<string[]> {
    if (batch.length === 0) return;
    const text = Buffer.concat(batch.flatMap((record, i) => (i === 0 ? [record] : [NEWLINE, record]))).toString('utf8');
    batch = [];
    batchBytes = 0;
    try {
      yield* parse(text, { relax_column_count: true }) as string[][];
    } catch (error) {
      throw new UsageError(`${file} is not a CSV file of a report: ${(error as Error).message}`);
    }
  };

  /** The record being read: its pieces so far (from one chunk or several), its size and fields. */
  let pieces: Buffer[] = [];
  let recordBytes = 0;
  let fields = 1;
  let inQuotes = false;
  let line = 1;
  let recordLine = 1;
  let first = true;
  const overLimit = (what: string) =>
    new UsageError(
      `${file}: the record starting on line ${recordLine} ${what}, which no report of customer-sync has; is ${dir} the report folder of a shard?`,
    );
  for (;;) {
    // A fresh buffer per read: the records of a batch are slices of it until they are parsed.
    const chunk = Buffer.allocUnsafe(CHUNK_BYTES);
    const read = fs.readSync(fd, chunk, 0, CHUNK_BYTES, null);
    if (read === 0) break;
    let bytes = chunk.subarray(0, read);
    if (first) {
      first = false;
      if (bytes.subarray(0, BOM.length).equals(BOM)) bytes = bytes.subarray(BOM.length);
    }
    // A record ends at a line break outside quotes; a doubled quote inside a quoted cell toggles twice.
    let start = 0;
    for (let i = 0; i < bytes.length; i++) {
      const c = bytes[i];
      if (c === QUOTE) inQuotes = !inQuotes;
      else if (c === COMMA) {
        if (!inQuotes && ++fields > limits.fields) throw overLimit(`has more than ${limits.fields} fields`);
      } else if (c === LF) {
        line++;
        if (inQuotes) continue;
        recordBytes += i - start;
        if (recordBytes > limits.recordBytes) throw overLimit(`is over ${limits.recordBytes} bytes`);
        pieces.push(bytes.subarray(start, i));
        const record = pieces.length === 1 ? (pieces[0] as Buffer) : Buffer.concat(pieces);
        batch.push(record);
        batchBytes += record.length;
        pieces = [];
        recordBytes = 0;
        fields = 1;
        recordLine = line;
        start = i + 1;
        if (batch.length >= BATCH_RECORDS || batchBytes >= BATCH_BYTES) yield* flush();
      }
    }
    recordBytes += bytes.length - start;
    if (recordBytes > limits.recordBytes) throw overLimit(`is over ${limits.recordBytes} bytes`);
    if (start < bytes.length) pieces.push(bytes.subarray(start));
  }
  const rest = Buffer.concat(pieces);
  if (rest.toString('utf8').trim() !== '') batch.push(rest);
  yield* flush();
}

const NEWLINE = Buffer.from('\n');

function tooLarge(file: string, dir: string, limit: number): UsageError {
  return new UsageError(
    `${file} is larger than ${limit} bytes, which no report.json of customer-sync is; is ${dir} the report folder of a shard?`,
  );
}
