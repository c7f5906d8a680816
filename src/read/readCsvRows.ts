import os from 'node:os';
import { pipeline, type Readable, Transform } from 'node:stream';
import { CsvError } from 'csv-parse';
import { AbortError, UsageError } from '../errors.js';
import type { RawRow } from '../types.js';
import { createRecordGuard, MAX_FIELDS, MAX_RECORD_BYTES, RecordLimitError } from './createRecordGuard.js';
import { type RowBatch, startCsvParser } from './startCsvParser.js';
import { type RowPreparation, startCsvWorker } from './startCsvWorker.js';

/** The text of a CSV input, after any gzip layer, with its first bytes already read for sniffing. */
export interface CsvText {
  /** How messages name the input: its path, or "standard input". */
  name: string;
  /** The first bytes of the text (up to 64 KB), also at the start of `stream`. */
  head: Buffer;
  /** All the text's bytes, from the start. */
  stream: Readable;
  /** WHATWG name of `--encoding`; a byte order mark overrides it. */
  encoding: string;
  /** Ends the rows quietly when it fires (SIGINT/SIGTERM): the run then writes its partial report. */
  signal: AbortSignal | undefined;
  /** Describes a failure of a layer under the text (a corrupt gzip), or returns undefined for the others. */
  describeLayerError?: (error: Error) => string | undefined;
  /** Where csv-parse runs: in a worker thread or on this one; by default as WORKER_FROM_BYTES says. */
  parseInWorker?: boolean | undefined;
  /** A worker also prepares data rows for staging, as it has time to (CsvRows.batches). */
  prepare?: RowPreparation | undefined;
}

/** A CSV text ready to stream: its header, delimiter and encoding, and its data rows. */
export interface CsvRows {
  header: string[];
  delimiter: string;
  encoding: string;
  /** The data rows one by one; with `prepare`, read `batches` instead. */
  rows: AsyncGenerator<RawRow, void, undefined>;
  /**
   * The same data rows in batches, as the parser gives them: as read, or prepared for staging when the text is parsed
   * in a worker asked to prepare them. Read once, either this or `rows`.
   */
  batches: AsyncGenerator<RowBatch, void, undefined>;
}

/**
 * A text at least this long (its sniffed head is full) is parsed in a worker thread when the machine has a second core:
 * csv-parse is about half of reading and normalising a row, and the worker's start-up (tens of milliseconds) is paid
 * back many times over. The worker is the compiled csvWorker.js beside this module, so running from the TypeScript
 * sources (the unit tests) parses on this thread.
 */
const WORKER_FROM_BYTES = 64 * 1024;
const WORKER_AVAILABLE = import.meta.url.endsWith('.js') && os.availableParallelism() > 1;

/**
 * Reads a CSV text (SPEC §3): RFC 4180 through csv-parse, with or without BOM, CRLF or LF, ragged rows passed on as
 * they are (normalise rejects them), blank lines skipped. Each row carries its number (from 1) and the line its
 * record starts on, correct across quoted newlines. A cell that a report neutralised against formula injection
 * (`'=…`) gets its `'` back off. Bytes that are not valid UTF-8 become U+FFFD, never an exception. NUL bytes past the
 * sniffed head are passed on like any character: they are the row's problem, not the file's.
 *
 * Resolves once the header is read; throws UsageError before that for a text that is empty, only whitespace or
 * binary. Records over the size or field limits are a UsageError while iterating, found before the parser holds them.
 */
export async function readCsvRows(text: CsvText): Promise<CsvRows> {
  const { name, head } = text;
  if (head.length === 0) throw new UsageError(`${name} is empty: it has no header row`);
  const encoding = encodingOfBom(head) ?? text.encoding;
  const headText = decodeHead(head, encoding);
  // UTF-16 text is full of NUL bytes; for it, a NUL character is the binary sign.
  if (encoding.startsWith('utf-16') ? headText.includes('\0') : head.includes(0)) {
    throw new UsageError(`${name} looks like a binary file, not CSV${describeBinary(head)}`);
  }
  const delimiter = detectDelimiter(headText);
  const inWorker = text.parseInWorker ?? (head.length >= WORKER_FROM_BYTES && WORKER_AVAILABLE);
  const records = streamBatches(text, encoding, delimiter, inWorker);
  const first = await records.next();
  if (first.done) {
    if (text.signal?.aborted)
      throw new AbortError(`stopped by ${String(text.signal.reason)} before ${name} had a header row`);
    throw new UsageError(`${name} has no header row: it holds only blank lines`);
  }
  // The first batch is never prepared: it holds the header, which the preparing needs.
  const [headerRow, ...rest] = first.value.rows as RawRow[];
  const batches = dataBatches(rest, records);
  return { header: (headerRow as RawRow).cells, delimiter, encoding, rows: rowsOf(batches), batches };
}

/** The data rows: those of the header's batch, then the batches after it; the reader is closed however they end. */
async function* dataBatches(
  first: RawRow[],
  rest: AsyncGenerator<RowBatch, void, undefined>,
): AsyncGenerator<RowBatch, void, undefined> {
  try {
    if (first.length > 0) yield { prepared: false, rows: first };
    yield* rest;
  } finally {
    await rest.return();
  }
}

async function* rowsOf(batches: AsyncGenerator<RowBatch, void, undefined>): AsyncGenerator<RawRow, void, undefined> {
  for await (const batch of batches) {
    if (batch.prepared) throw new Error('rows prepared for staging are read through batches');
    yield* batch.rows;
  }
}

/**
 * The text's non-blank records in batches, each with the line it starts on: first the header (as row 0), then the
 * data rows numbered from 1. One generator for both, so each batch costs one async step.
 */
async function* streamBatches(
  text: CsvText,
  encoding: string,
  delimiter: string,
  inWorker: boolean,
): AsyncGenerator<RowBatch, void, undefined> {
  const records = inWorker ? startCsvWorker(delimiter, text.prepare) : startCsvParser(delimiter);
  const stages: NodeJS.ReadWriteStream[] = [];
  if (encoding !== 'utf-8') stages.push(transcodeToUtf8(encoding));
  stages.push(createRecordGuard(delimiter));

  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  const signal = () => wake?.();
  records.onChange(signal);
  pipeline([text.stream, ...stages, records.input], (error) => {
    if (error && !records.ended()) failure ??= error;
    signal();
  });
  text.signal?.addEventListener('abort', signal);

  try {
    for (;;) {
      const batch = records.take();
      if (batch) {
        yield batch;
        continue;
      }
      // A stop is not a file problem: the rows end here and the run reports what it read.
      if (text.signal?.aborted) return;
      const failed = records.failure() ?? failure;
      if (failed) throw describeFailure(text, failed, records.nextLine(), delimiter);
      if (records.ended()) return;
      records.keepAlive(true);
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
      records.keepAlive(false);
      wake = undefined;
    }
  } finally {
    text.signal?.removeEventListener('abort', signal);
    // Stopped early (an abort, an error): release the input. A no-op once everything has ended.
    text.stream.destroy();
    records.close();
  }
}

function describeFailure(text: CsvText, error: Error, line: number, delimiter: string): UsageError {
  const { name } = text;
  if (error instanceof UsageError) return error;
  if (error instanceof RecordLimitError) {
    return new UsageError(
      error.limit === 'fields'
        ? `${name}: the record starting on line ${error.line} has more than ${MAX_FIELDS} fields; is ${describeDelimiter(delimiter)} really its delimiter?`
        : `${name}: the record starting on line ${error.line} runs over ${MAX_RECORD_BYTES / 1024 / 1024} MB; is a quote never closed?`,
    );
  }
  if (error instanceof CsvError) {
    if (error.code === 'CSV_QUOTE_NOT_CLOSED') {
      return new UsageError(
        `${name}: the record starting on line ${line} opens a quote that is never closed (the file ends inside it)`,
      );
    }
    return new UsageError(`${name}: the record starting on line ${line} is not valid CSV: ${error.message}`);
  }
  const layer = text.describeLayerError?.(error);
  if (layer !== undefined) return new UsageError(layer);
  return new UsageError(`${name} cannot be read: ${error.message}`);
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'a tab' : `"${delimiter}"`;
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
  const ole = head[0] === 0xd0 && head[1] === 0xcf && head[2] === 0x11 && head[3] === 0xe0;
  return ole ? ' (an Excel 97-2003 .xls workbook? save it as .xlsx or CSV)' : '';
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
