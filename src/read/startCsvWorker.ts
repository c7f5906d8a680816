import { Writable } from 'node:stream';
import { Worker } from 'node:worker_threads';
import { CsvError, type CsvErrorCode } from 'csv-parse';
import type { Shard } from '../options/index.js';
import type { NormaliseSetup } from './createNormaliseContext.js';
import { type PackedPreparedRows, unpackPreparedRows, unpackRows } from './packRows.js';
import type { RecordParser, RowBatch } from './startCsvParser.js';

/** How data rows are prepared for staging (prepareRow) where they are parsed: plain data, built into a context there. */
export interface RowPreparation {
  normalise: NormaliseSetup;
  shard: Shard | undefined;
  /** The customers of rows that pass cross too (as JSON): a sync may leave rows open, validate never does. */
  keepCustomers: boolean;
}

/** What the worker is started with. */
export interface CsvWorkerSetup {
  delimiter: string;
  /** Batches of records it may send before the reader has taken any. */
  credits: number;
  /** Prepare data rows too, while the reader is busy (see csvWorker.ts). */
  prepare: RowPreparation | undefined;
}

/** Reader → worker: the text's bytes, its end, and leave to send one more batch. */
export type ToCsvWorker = { type: 'chunk'; bytes: Uint8Array } | { type: 'end' } | { type: 'credit' };

/**
 * Worker → reader, in order: records of each chunk (packed by packRows; the first of them prepared, packed by
 * packPreparedRows, as far as the worker got), then the chunk's acknowledgement; at last the end or a failure.
 */
export type FromCsvWorker =
  | { type: 'rows'; prepared: PackedPreparedRows | undefined; cells: string[]; shape: Int32Array; nextLine: number }
  | { type: 'ack' }
  | { type: 'ended'; nextLine: number }
  | { type: 'failed'; code: CsvErrorCode | undefined; message: string; nextLine: number };

/**
 * Chunks sent and not yet parsed. The reader hands the worker more text only between batches of rows, so the worker
 * needs enough queued to stay busy meanwhile: with two it sat idle about half the time.
 */
const CHUNKS_IN_FLIGHT = 8;
/** Batches (one per chunk, ~64 KB of text) the worker may send before the reader takes one. */
const CREDITS = 8;
/**
 * The same when the worker prepares rows too. What the reader has not taken the worker can still prepare, so the reader
 * holds only the batch it works on and the next; and the worker holds fewer chunks, since every one it holds keeps it
 * busy: more only let its heap fill with rows that outlive the young generation (about 40 MB more at the peak).
 */
const PREPARING = { credits: 1, chunksInFlight: 4 };

/**
 * Parses in a worker thread (src/read/csvWorker.ts), so that on two cores csv-parse runs beside the normalising and
 * staging of the rows it has already given. Records come back in batches, numbered and placed there exactly as on this
 * thread (one takeRecords serves both). With `prepare`, the worker also prepares rows for staging (prepareRow) while
 * this thread is busy: a batch then comes as far as it is prepared, then as read. Memory stays flat both ways: the
 * worker gets a chunk only while fewer than CHUNKS_IN_FLIGHT are unacknowledged, and acknowledges a chunk only once
 * the reader has room for its records.
 */
export function startCsvWorker(delimiter: string, prepare?: RowPreparation): RecordParser {
  const setup: CsvWorkerSetup = { delimiter, credits: prepare ? PREPARING.credits : CREDITS, prepare };
  const chunksInFlight = prepare ? PREPARING.chunksInFlight : CHUNKS_IN_FLIGHT;
  // No Node flags of the process's own: some (--input-type, an --import hook) would keep the worker from starting.
  const worker = new Worker(new URL('./csvWorker.js', import.meta.url), { workerData: setup, execArgv: [] });
  worker.unref();
  const send = (message: ToCsvWorker, transfer: ArrayBuffer[] = []) => worker.postMessage(message, transfer);
  /** Batches received and not taken; the line after the last of a chunk's records comes with its last batch. */
  const batches: { batch: RowBatch; nextLine: number | undefined }[] = [];
  let lineTaken = 1;
  let lineAtEnd: number | undefined;
  let failure: Error | undefined;
  let ended = false;
  let closed = false;
  let listener = () => {};
  let inFlight = 0;
  let resume: (() => void) | undefined;

  const input = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      // A copy the worker can own: the chunk's memory may be a slice of a pool shared with other buffers.
      const bytes = new Uint8Array(chunk);
      send({ type: 'chunk', bytes }, [bytes.buffer]);
      inFlight++;
      if (inFlight < chunksInFlight) callback();
      else resume = callback;
    },
    final(callback) {
      send({ type: 'end' });
      callback();
    },
  });

  worker.on('message', (message: FromCsvWorker) => {
    if (message.type === 'ack') {
      inFlight--;
      const next = resume;
      resume = undefined;
      next?.();
      return;
    }
    if (message.type === 'rows') {
      const { prepared, cells, shape, nextLine } = message;
      const rest = unpackRows(cells, shape);
      if (prepared) {
        const rows = unpackPreparedRows(prepared);
        batches.push({ batch: { prepared: true, rows }, nextLine: rest.length === 0 ? nextLine : undefined });
      }
      if (rest.length > 0) batches.push({ batch: { prepared: false, rows: rest }, nextLine });
    } else if (message.type === 'ended') {
      ended = true;
      lineAtEnd = message.nextLine;
    } else {
      failure ??= message.code === undefined ? new Error(message.message) : new CsvError(message.code, message.message);
      lineAtEnd = message.nextLine;
    }
    listener();
  });
  worker.on('error', (error) => {
    failure ??= error;
    listener();
  });
  worker.on('exit', () => {
    if (!ended && !closed) failure ??= new Error('the CSV parser thread stopped unexpectedly');
    listener();
  });

  return {
    input,
    take() {
      const next = batches.shift();
      if (!next) return undefined;
      if (next.nextLine !== undefined) {
        lineTaken = next.nextLine;
        send({ type: 'credit' });
      }
      return next.batch;
    },
    nextLine: () => (batches.length === 0 && lineAtEnd !== undefined ? lineAtEnd : lineTaken),
    failure: () => (batches.length === 0 ? failure : undefined),
    ended: () => ended && batches.length === 0,
    onChange(next) {
      listener = next;
    },
    keepAlive(waiting) {
      if (waiting) worker.ref();
      else worker.unref();
    },
    close() {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}
