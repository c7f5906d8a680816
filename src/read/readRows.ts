import { pipeline, type Readable } from 'node:stream';
import { finished } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { AbortError, UsageError } from '../errors.js';
import type { RawRow } from '../types.js';
import { createDigestStage, type InputDigest } from './createDigestStage.js';
import { type ByteSource, openByteSource } from './openByteSource.js';
import { peekStream } from './peekStream.js';
import { readCsvRows } from './readCsvRows.js';
import type { XlsxLimits } from './readXlsxRows.js';
import { resolveEncoding } from './resolveEncoding.js';
import type { RowBatch } from './startCsvParser.js';
import type { RowPreparation } from './startCsvWorker.js';

/** What the input turned out to be, whatever its name. */
export type InputFormat = 'csv' | 'csv.gz' | 'xlsx';

/** An opened input: what it is, its header, and its data rows as they stream in. */
export interface InputSource {
  /** CSV, gzip-compressed CSV (found by its magic bytes) or an Excel workbook (found by its zip signature). */
  format: InputFormat;
  /** The sheet read, for a workbook. */
  sheet?: string;
  /** The header row's cells, as read. */
  header: string[];
  /** `,` unless a CSV header line has none but has `;` or a tab; always `,` for a workbook. */
  delimiter: string;
  /** The encoding the text is decoded with (WHATWG name); a byte order mark overrides `--encoding`. */
  encoding: string;
  /**
   * The data rows, once. Blank lines (empty rows) are skipped; a file problem found while reading (a quote never
   * closed, a record over the limits, corrupt gzip or workbook data) is a UsageError. When the signal fires, the rows
   * simply end.
   */
  rows: AsyncIterable<RawRow>;
  /**
   * The same rows in batches, for a CSV: as read, or prepared for staging by the parser's worker when `prepare` was
   * given (see ReadOptions). Undefined for a workbook. Read once, either this or `rows`.
   */
  batches?: AsyncIterable<RowBatch>;
  /** SHA-256 and size of the input's bytes as given, hashed while streaming (see InputDigest for a stop). */
  digest(): InputDigest;
}

export interface ReadOptions {
  /** `--encoding`: a Node Buffer encoding or a TextDecoder label. */
  encoding: string;
  /** `--sheet`: which sheet of a workbook to read; the first one when undefined. */
  sheet?: string | undefined;
  /** SIGINT/SIGTERM: stops the reading wherever it waits (a silent pipe included). */
  signal?: AbortSignal | undefined;
  /** What `-` reads: the process's standard input unless a test hands in another stream. */
  stdin?: Readable | undefined;
  /** Read chunk size in bytes (tests use a tiny one to split characters and records across chunks). */
  highWaterMark?: number;
  /** Where a CSV is parsed: a worker thread or this one (tests choose); unset, a large enough text uses a worker. */
  parseInWorker?: boolean;
  /**
   * How data rows are prepared for staging: a CSV parsed in a worker then has it prepare rows whenever this thread is
   * busy (InputSource.batches), so that both cores work.
   */
  prepare?: RowPreparation;
  /** How far a workbook may take the reader (tests lower them); XLSX_LIMITS by default. */
  xlsxLimits?: Partial<XlsxLimits>;
}

const HEAD_BYTES = 64 * 1024;

/**
 * Opens the input for streaming (SPEC §2, §3): a regular file or `-` for standard input, holding CSV, the same
 * gzip-compressed, or an Excel workbook, told apart by their first bytes rather than their names. Every format gives
 * the same RawRows, so normalisation, row and line numbers and rejects work alike; line numbers of a gzip are those of
 * its decompressed text. The digest is of the bytes as given.
 *
 * Resolves once the header is read; throws UsageError before that for an input that is missing, not a regular file,
 * unreadable, empty or only whitespace, binary, an old .xls workbook, corrupt gzip, a workbook without the sheet asked
 * for, and for an unknown encoding; AbortError when stopped before the header.
 */
export async function readRows(path: string, options: ReadOptions): Promise<InputSource> {
  const encoding = resolveEncoding(options.encoding);
  const { signal } = options;
  const source = await openByteSource(path, { highWaterMark: options.highWaterMark, stdin: options.stdin });
  const { name } = source;
  const digest = createDigestStage();
  // A stop must not wait for bytes that may never come (a silent pipe): tearing the source down ends every wait.
  const stop = () => source.stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  pipeline(source.stream, digest.transform, () => {
    // Failures travel down the streams to whoever reads them; the rows report them.
  });

  try {
    const raw = await peekStream(digest.transform, HEAD_BYTES).catch((error: Error) => {
      throw describeReadError(name, error, signal);
    });
    const magic = raw.head;
    const isZip = magic[0] === 0x50 && magic[1] === 0x4b && (magic[2] === 0x03 || magic[2] === 0x05);
    // Only a workbook is read at any offset; every other input lets go of the file when its stream is done.
    if (!isZip) source.file?.release();
    if (isZip) {
      // Only a workbook needs the zip and XML readers.
      const xlsx = await import('./readXlsxRows.js');
      const limits = { ...xlsx.XLSX_LIMITS, ...options.xlsxLimits };
      const workbook = await xlsx.readXlsxRows({
        name,
        ...(await openWorkbookBytes(source, raw.stream, limits, signal)),
        sheet: options.sheet,
        signal,
        limits,
      });
      const { header, rows, sheet } = workbook;
      return { format: 'xlsx', sheet, header, delimiter: ',', encoding: 'utf-8', rows, digest: digest.digest };
    }
    if (magic[0] === 0xd0 && magic[1] === 0xcf && magic[2] === 0x11 && magic[3] === 0xe0) {
      raw.stream.destroy();
      throw new UsageError(`${name} is an Excel 97-2003 workbook (.xls); save it as .xlsx or CSV`);
    }
    const gzip = magic[0] === 0x1f && magic[1] === 0x8b;
    let text: Readable = raw.stream;
    if (gzip) {
      const gunzip = createGunzip();
      text = gunzip;
      pipeline(raw.stream, gunzip, () => {
        // As above: the CSV reader sees the failure on the text stream.
      });
    }
    const peeked = await peekStream(text, HEAD_BYTES).catch((error: Error) => {
      throw describeReadError(name, error, signal);
    });
    const csv = await readCsvRows({
      name,
      head: peeked.head,
      stream: peeked.stream,
      encoding,
      signal,
      describeLayerError: (error) => (gzip ? describeGzipError(name, error) : undefined),
      parseInWorker: options.parseInWorker,
      prepare: options.prepare,
    });
    return { format: gzip ? 'csv.gz' : 'csv', ...csv, digest: digest.digest };
  } catch (error) {
    source.stream.destroy();
    source.file?.release();
    signal?.removeEventListener('abort', stop);
    throw error;
  }
}

function describeReadError(name: string, error: Error, signal: AbortSignal | undefined): Error {
  if (signal?.aborted) return new AbortError(`stopped by ${String(signal.reason)} while reading ${name}`);
  if (error instanceof UsageError) return error;
  return new UsageError(describeGzipError(name, error) ?? `${name} cannot be read: ${error.message}`);
}

/** zlib's errors, as a user would say them: the data is not whole. */
function describeGzipError(name: string, error: Error): string | undefined {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === undefined || !code.startsWith('Z_')) return undefined;
  if (code === 'Z_BUF_ERROR') return `${name} is gzip-compressed but cut short: ${error.message}`;
  return `${name} is gzip-compressed but its data is corrupt: ${error.message}`;
}

/**
 * A workbook's bytes at any offset, since its zip directory is at its end: the input file itself (read once more,
 * from the start, for the digest), or standard input spooled to a private file with no name (spoolToPrivateFile),
 * hashed as it is copied.
 */
async function openWorkbookBytes(
  source: ByteSource,
  stream: Readable,
  limits: XlsxLimits,
  signal: AbortSignal | undefined,
) {
  if (source.file) {
    const file = source.file.hold();
    stream.resume();
    const drained = finished(stream);
    // Waited for by the rows; a reading that fails first must not leave it unhandled.
    drained.catch(() => {});
    return { file, drained };
  }
  // The bytes after the sniffed head come through `stream`, which a stop of the source does not end.
  const stop = () => stream.destroy();
  signal?.addEventListener('abort', stop, { once: true });
  const [{ SpoolLimitError, spoolToPrivateFile }, { formatSize }] = await Promise.all([
    import('./spoolToPrivateFile.js'),
    import('./readXlsxRows.js'),
  ]);
  try {
    return { file: await spoolToPrivateFile(stream, { maxBytes: limits.spooledBytes }), drained: Promise.resolve() };
  } catch (error) {
    if (signal?.aborted) throw new AbortError(`stopped by ${String(signal.reason)} while reading ${source.name}`);
    if (error instanceof SpoolLimitError) {
      throw new UsageError(
        `${source.name} holds a workbook of over ${formatSize(limits.spooledBytes)}, more than this tool reads from standard input; name the file instead`,
      );
    }
    throw describeReadError(source.name, error as Error, signal);
  } finally {
    signal?.removeEventListener('abort', stop);
  }
}
