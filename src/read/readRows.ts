import { createHash, type Hash } from 'node:crypto';
import fs from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import { pipeline, Transform } from 'node:stream';
import { CsvError, Parser } from 'csv-parse';
import { UsageError } from '../errors.js';
import type { RawRow } from '../types.js';
import { resolveEncoding } from './resolveEncoding.js';

/** An opened CSV file: its header, and its data rows as they stream in. */
export interface CsvSource {
  /** The header row's cells, as read. */
  header: string[];
  /** `,` unless the header line has none but has `;` or a tab. */
  delimiter: string;
  /** The encoding the file is decoded with (WHATWG name); a byte order mark overrides `--encoding`. */
  encoding: string;
  /** The data rows, once. Blank lines are skipped; a syntax error csv-parse cannot recover from is a UsageError. */
  rows: AsyncIterable<RawRow>;
  /** SHA-256 and size of the file's bytes, hashed while streaming; asked before the rows are exhausted, it hashes the rest. */
  digest(): { sha256: string; bytes: number };
}

export interface ReadOptions {
  /** `--encoding`: a Node Buffer encoding or a TextDecoder label. */
  encoding: string;
  /** Read chunk size in bytes (tests use a tiny one to split characters across chunks). */
  highWaterMark?: number;
}

const HEAD_BYTES = 64 * 1024;
/**
 * Guards memory against a quote that is never closed, which would otherwise buffer the rest of the file. Far above
 * any real record, so an oversized cell (a pasted document in "notes") is still a row-level rejection, not a file error.
 */
const MAX_RECORD_CHARS = 10_000_000;
const FORMULA_AFTER_QUOTE = /^'[=+\-@\t\r]/;
const NOT_BLANK = /\S/;

/**
 * Opens a CSV file for streaming (SPEC §3): RFC 4180 through csv-parse, with or without BOM, CRLF or LF, ragged rows
 * passed on as they are (normalise rejects them), blank lines skipped. Each row carries its number (from 1) and the
 * file line its record starts on, correct across quoted newlines. A cell that a report neutralised against formula
 * injection (`'=…`) gets its `'` back off. Bytes that are not valid UTF-8 become U+FFFD, never an exception.
 *
 * Resolves once the header is read; throws UsageError before that for a file that is missing, a directory,
 * unreadable, empty or only whitespace, or binary, and for an unknown encoding.
 */
export async function readRows(path: string, options: ReadOptions): Promise<CsvSource> {
  let encoding = resolveEncoding(options.encoding);
  const handle = await openInput(path);
  let records: AsyncGenerator<RawRow, void, undefined>;
  let delimiter: string;
  let hasher: FileHasher;
  try {
    const head = await readHead(handle);
    if (head.length === 0) throw new UsageError(`${path} is empty: it has no header row`);
    encoding = encodingOfBom(head) ?? encoding;
    const headText = decodeHead(head, encoding);
    // UTF-16 text is full of NUL bytes; for it, a NUL character is the binary sign.
    if (encoding.startsWith('utf-16') ? headText.includes('\0') : head.includes(0)) {
      throw new UsageError(`${path} looks like a binary file, not CSV${describeBinary(head)}`);
    }
    delimiter = detectDelimiter(headText);
    hasher = new FileHasher(path);
    records = streamRecords(path, handle, { encoding, delimiter, hasher, highWaterMark: options.highWaterMark });
  } catch (error) {
    await handle.close();
    throw error;
  }

  const first = await records.next();
  if (first.done) throw new UsageError(`${path} has no header row: it holds only blank lines`);
  const header = first.value.cells;
  return {
    header,
    delimiter,
    encoding,
    rows: records,
    digest: () => hasher.digest(),
  };
}

/**
 * The file's non-blank records, each with the line it starts on: first the header (as row 0), then the data rows
 * numbered from 1. One generator for both, so each row costs one async step. Records are taken off the parser with
 * read() rather than its async iterator: after a parse error the iterator drops the records still buffered, and we
 * need every one of them to know the line the failing record starts on.
 */
async function* streamRecords(
  path: string,
  handle: FileHandle,
  options: { encoding: string; delimiter: string; hasher: FileHasher; highWaterMark: number | undefined },
): AsyncGenerator<RawRow, void, undefined> {
  const input = handle.createReadStream({ start: 0, highWaterMark: options.highWaterMark ?? HEAD_BYTES });
  const parser = new Parser({
    delimiter: options.delimiter,
    bom: true,
    encoding: 'utf8',
    relax_column_count: true,
    // A stray quote inside an unquoted field (O"Brien) is kept as text rather than failing the whole file.
    relax_quotes: true,
    // Listed, not auto-discovered: discovery fixes the first ending seen, and a file mixing CRLF and LF would then
    // glue lines together.
    record_delimiter: ['\r\n', '\n', '\r'],
    max_record_size: MAX_RECORD_CHARS,
  });
  const stages: NodeJS.ReadWriteStream[] = [options.hasher.transform()];
  if (options.encoding !== 'utf-8') stages.push(transcodeToUtf8(options.encoding));

  let failure: Error | undefined;
  let ended = false;
  let wake: (() => void) | undefined;
  const signal = () => wake?.();
  parser.on('readable', signal);
  parser.on('end', () => {
    ended = true;
    signal();
  });
  parser.on('error', (error) => {
    failure ??= error;
    signal();
  });
  pipeline([input, ...stages, parser], (error) => {
    if (error && !ended) failure ??= error;
    signal();
  });

  let nextLine = 1;
  let row = 0;
  try {
    for (;;) {
      for (let cells = parser.read() as string[] | null; cells !== null; cells = parser.read() as string[] | null) {
        const line = nextLine;
        let blank = true;
        let breaks = 0;
        for (let i = 0; i < cells.length; i++) {
          const cell = cells[i] as string;
          if (cell.length === 0) continue;
          if (blank && NOT_BLANK.test(cell)) blank = false;
          if (cell.charCodeAt(0) === 39 && FORMULA_AFTER_QUOTE.test(cell)) cells[i] = cell.slice(1);
          if (cell.indexOf('\n') !== -1 || cell.indexOf('\r') !== -1) breaks += countLineBreaks(cell);
        }
        nextLine += 1 + breaks;
        if (!blank) yield { row: row++, line, cells };
      }
      if (failure) throw describeFailure(path, failure, nextLine);
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      wake = undefined;
    }
  } finally {
    // Stopped early (an abort, an error): release the file. A no-op once everything has ended.
    input.destroy();
    parser.destroy();
  }
}

/** Line breaks inside a (quoted) cell; CRLF counts once, like a record's own line ending. */
function countLineBreaks(cell: string): number {
  let breaks = 0;
  for (let i = 0; i < cell.length; i++) {
    const code = cell.charCodeAt(i);
    if (code === 10) breaks++;
    else if (code === 13) {
      breaks++;
      if (cell.charCodeAt(i + 1) === 10) i++;
    }
  }
  return breaks;
}

function describeFailure(path: string, error: Error, line: number): UsageError {
  if (error instanceof UsageError) return error;
  if (error instanceof CsvError) {
    switch (error.code) {
      case 'CSV_QUOTE_NOT_CLOSED':
        return new UsageError(
          `${path}: the record starting on line ${line} opens a quote that is never closed (the file ends inside it)`,
        );
      case 'CSV_MAX_RECORD_SIZE':
        return new UsageError(
          `${path}: the record starting on line ${line} runs over ${MAX_RECORD_CHARS} characters; is a quote never closed?`,
        );
      default:
        return new UsageError(`${path}: the record starting on line ${line} is not valid CSV: ${error.message}`);
    }
  }
  return new UsageError(`${path} cannot be read: ${error.message}`);
}

/** SHA-256 and byte count of the raw file, fed by a pass-through stage so the file is read once. */
class FileHasher {
  readonly #path: string;
  readonly #hash: Hash = createHash('sha256');
  #bytes = 0;
  #final: { sha256: string; bytes: number } | undefined;

  constructor(path: string) {
    this.#path = path;
  }

  transform(): Transform {
    return new Transform({
      transform: (chunk: Buffer, _encoding, callback) => {
        this.#hash.update(chunk);
        this.#bytes += chunk.length;
        callback(null, chunk);
      },
      flush: (callback) => {
        this.#final = { sha256: this.#hash.digest('hex'), bytes: this.#bytes };
        callback();
      },
    });
  }

  /** The whole file's digest; if streaming stopped early (an aborted run), the unread rest is hashed now. */
  digest(): { sha256: string; bytes: number } {
    if (this.#final) return this.#final;
    const hash = this.#hash.copy();
    let bytes = this.#bytes;
    const fd = fs.openSync(this.#path, 'r');
    try {
      const buffer = Buffer.allocUnsafe(HEAD_BYTES);
      for (;;) {
        const read = fs.readSync(fd, buffer, 0, buffer.length, bytes);
        if (read === 0) break;
        hash.update(buffer.subarray(0, read));
        bytes += read;
      }
    } finally {
      fs.closeSync(fd);
    }
    return { sha256: hash.digest('hex'), bytes };
  }
}

/** Decodes any TextDecoder encoding and re-encodes UTF-8 for the parser; characters split across chunks are kept whole. */
function transcodeToUtf8(encoding: string): Transform {
  const decoder = new TextDecoder(encoding);
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      callback(null, Buffer.from(decoder.decode(chunk, { stream: true }), 'utf8'));
    },
    flush(callback) {
      callback(null, Buffer.from(decoder.decode(), 'utf8'));
    },
  });
}

async function openInput(path: string): Promise<FileHandle> {
  let handle: FileHandle;
  try {
    handle = await fs.promises.open(path, 'r');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UsageError(`${path} does not exist`);
    if (code === 'EACCES' || code === 'EPERM') throw new UsageError(`${path} cannot be read: permission denied`);
    if (code === 'EISDIR') throw new UsageError(`${path} is a directory, not a CSV file`);
    throw new UsageError(`${path} cannot be read: ${(error as Error).message}`);
  }
  const stat = await handle.stat();
  if (!stat.isFile()) {
    await handle.close();
    throw new UsageError(`${path} is ${stat.isDirectory() ? 'a directory' : 'not a regular file'}, not a CSV file`);
  }
  return handle;
}

async function readHead(handle: FileHandle): Promise<Buffer> {
  const buffer = Buffer.alloc(HEAD_BYTES);
  let length = 0;
  while (length < HEAD_BYTES) {
    const { bytesRead } = await handle.read(buffer, length, HEAD_BYTES - length, length);
    if (bytesRead === 0) break;
    length += bytesRead;
  }
  return buffer.subarray(0, length);
}

/** A byte order mark is the file's own statement of its encoding, so it wins over `--encoding`. */
function encodingOfBom(head: Buffer): string | undefined {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return 'utf-8';
  if (head[0] === 0xff && head[1] === 0xfe) return 'utf-16le';
  if (head[0] === 0xfe && head[1] === 0xff) return 'utf-16be';
  return undefined;
}

function decodeHead(head: Buffer, encoding: string): string {
  return encoding === 'utf-8' ? head.toString('utf8') : new TextDecoder(encoding).decode(head);
}

function describeBinary(head: Buffer): string {
  const zip = head[0] === 0x50 && head[1] === 0x4b;
  const ole = head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0;
  return zip || ole ? ' (an Excel workbook? save it as CSV)' : '';
}

/** `;` or tab when the header line has no comma but one of those (a European Excel export, a TSV). */
function detectDelimiter(headText: string): string {
  const text = headText.replace(/^[\uFEFF\s]*[\r\n]/, '');
  const end = text.search(/[\r\n]/);
  // Delimiters inside quoted header names do not count.
  const headerLine = (end === -1 ? text : text.slice(0, end)).replace(/"[^"]*"/g, '');
  if (headerLine.includes(',')) return ',';
  const semicolons = headerLine.split(';').length - 1;
  const tabs = headerLine.split('\t').length - 1;
  if (semicolons === 0 && tabs === 0) return ',';
  return semicolons >= tabs ? ';' : '\t';
}
