import fs from 'node:fs';
import path from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { parse } from 'csv-parse/sync';
import { describeFsError } from '../describeFsError.js';
import { UsageError } from '../errors.js';

/** Bytes read from a report file at a time. */
const CHUNK_BYTES = 256 * 1024;
/** Records handed to csv-parse at a time: one call per batch, not per line. */
const BATCH_RECORDS = 1_000;
const BOM = '\uFEFF';

/** A file of an earlier report, opened for reading: its records one at a time, or its whole text. */
export interface ReportFile {
  /** The file's CSV records in order (the header first), read a chunk at a time so memory stays flat. */
  records(): Generator<string[], void, undefined>;
  /** The whole text (for report.json). */
  text(): string;
}

/**
 * Opens `name` in the report folder `dir` for reading (report --merge). Only a plain file is read: a symlink is not
 * followed and a pipe or device is refused without blocking, so a folder someone else can write to cannot make this
 * process read elsewhere or hang. Returns undefined when there is no such file.
 *
 * The CSV reader is for the files this tool writes (RFC 4180, `\n` line ends, a byte order mark on some): records
 * end at a line break outside quotes, and each batch of them is parsed by csv-parse, so quoting is read exactly as the
 * input reader reads it. The cells come back as they stand in the file (still neutralised against formulas).
 *
 * @throws UsageError naming the file when it is not a plain file or cannot be read
 */
export function openReportFile(dir: string, name: string): ReportFile | undefined {
  const file = path.join(dir, name);
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  const open = (): number => {
    try {
      const fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
      if (!fs.fstatSync(fd).isFile()) {
        fs.closeSync(fd);
        throw new UsageError(`${file} is not a plain file; is ${dir} a report folder?`);
      }
      return fd;
    } catch (error) {
      if (error instanceof UsageError) throw error;
      throw new UsageError(`cannot read ${file}: ${describeFsError(error)}`);
    }
  };
  try {
    if (fs.lstatSync(file, { throwIfNoEntry: false }) === undefined) return undefined;
  } catch (error) {
    throw new UsageError(`cannot read ${file}: ${describeFsError(error)}`);
  }
  return {
    *records() {
      const fd = open();
      try {
        yield* readRecords(fd, file);
      } finally {
        fs.closeSync(fd);
      }
    },
    text() {
      const fd = open();
      try {
        return fs.readFileSync(fd, 'utf8');
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

function* readRecords(fd: number, file: string): Generator<string[], void, undefined> {
  const decoder = new StringDecoder('utf8');
  const buffer = Buffer.alloc(CHUNK_BYTES);
  let pending = '';
  let inQuotes = false;
  let scanned = 0;
  let batch: string[] = [];
  let first = true;
  const flush = function* (): Generator<string[]> {
    if (batch.length === 0) return;
    const text = batch.join('\n');
    batch = [];
    try {
      yield* parse(text, { relax_column_count: true }) as string[][];
    } catch (error) {
      throw new UsageError(`${file} is not a CSV file of a report: ${(error as Error).message}`);
    }
  };
  for (;;) {
    const read = fs.readSync(fd, buffer, 0, CHUNK_BYTES, null);
    pending += read === 0 ? decoder.end() : decoder.write(buffer.subarray(0, read));
    if (first && pending.length > 0) {
      if (pending.startsWith(BOM)) pending = pending.slice(1);
      first = false;
    }
    // A record ends at a line break outside quotes; a doubled quote inside a quoted cell toggles twice.
    let start = 0;
    for (let i = scanned; i < pending.length; i++) {
      const c = pending.charCodeAt(i);
      if (c === 34) inQuotes = !inQuotes;
      else if (c === 10 && !inQuotes) {
        batch.push(pending.slice(start, i));
        start = i + 1;
        if (batch.length >= BATCH_RECORDS) yield* flush();
      }
    }
    pending = pending.slice(start);
    scanned = pending.length;
    if (read === 0) break;
  }
  if (pending.trim() !== '') batch.push(pending);
  yield* flush();
}
