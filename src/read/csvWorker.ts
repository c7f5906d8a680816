// The worker thread of startCsvWorker: csv-parse over the text's bytes, records sent back in batches as the reader
// allows (see FromCsvWorker for the order of messages), and with `prepare`, data rows prepared for staging meanwhile.
import { parentPort, workerData } from 'node:worker_threads';
import { CsvError } from 'csv-parse';
import type { PreparedRow } from '../check/prepareRow.js';
import type { RawRow } from '../types.js';
import { createCsvParser } from './createCsvParser.js';
import { packPreparedRows, packRows } from './packRows.js';
import type { CsvWorkerSetup, FromCsvWorker, ToCsvWorker } from './startCsvWorker.js';
import { nextRecordLine, type RecordPosition, takeRecords } from './takeRecords.js';

const port = parentPort;
if (port === null) throw new Error('csvWorker.js runs as a worker thread of startCsvWorker');
const { delimiter, credits: firstCredits, prepare } = workerData as CsvWorkerSetup;
const parser = createCsvParser(delimiter);
const position: RecordPosition = { line: 1, row: 0, excess: 0 };
let credits = firstCredits;
let taken: RawRow[] = [];
let finished = false;

/** The records of one chunk, waiting to be sent; the first `prepared.length` of them already prepared. */
interface Batch {
  type: 'batch';
  rows: RawRow[];
  prepared: PreparedRow[];
  nextLine: number;
}
/** What waits to be sent, in order: a batch waits for a credit, and everything after it waits with it. */
const outbox: (Batch | Exclude<FromCsvWorker, { type: 'rows' }>)[] = [];

/** Rows prepared in one go between two looks at the reader's messages: about a millisecond of work. */
const SLICE = 64;
/** Prepares a data row, once the preparing modules are loaded and the header read. */
let prepareOne: ((row: RawRow) => PreparedRow) | undefined;
let header: string[] | undefined;
let modules: [typeof import('../check/prepareRow.js'), typeof import('./createNormaliseContext.js')] | undefined;
let preparing = false;

if (prepare) {
  // Loaded beside the parsing of the first chunks, which the reader takes as read meanwhile.
  Promise.all([import('../check/prepareRow.js'), import('./createNormaliseContext.js')]).then(
    (loaded) => {
      modules = loaded;
      startPreparing();
    },
    () => {
      // Nothing is prepared here: the reader prepares every row.
    },
  );
}

/** Builds the context from the header, as the reader does; a header it cannot be built from is the reader's to refuse. */
function startPreparing(): void {
  if (!prepare || !modules || header === undefined || prepareOne) return;
  const [{ prepareRow }, { createNormaliseContext }] = modules;
  try {
    const { context } = createNormaliseContext(header, prepare.normalise);
    prepareOne = (row) => prepareRow(row, context, prepare.shard);
  } catch {
    modules = undefined;
    return;
  }
  schedulePreparing();
}

/**
 * Prepares the oldest rows not prepared yet, a slice at a time, whenever this thread has nothing else to do. The reader
 * takes a batch as far as it is prepared and prepares the rest itself: neither thread waits for the other, and each
 * takes on the preparing in the measure it has time for it, on any machine and for any file.
 */
function schedulePreparing(): void {
  if (preparing || !prepareOne) return;
  preparing = true;
  setImmediate(prepareSlice);
}

function prepareSlice(): void {
  preparing = false;
  const prepareRow = prepareOne;
  if (!prepareRow) return;
  const batch = outbox.find((item): item is Batch => item.type === 'batch' && item.prepared.length < item.rows.length);
  if (!batch) return;
  const { rows, prepared } = batch;
  const end = Math.min(rows.length, prepared.length + SLICE);
  for (let i = prepared.length; i < end; i++) prepared.push(prepareRow(rows[i] as RawRow));
  schedulePreparing();
}

const flush = () => {
  while (outbox.length > 0) {
    const next = outbox[0] as (typeof outbox)[number];
    if (next.type === 'batch') {
      if (credits === 0) return;
      credits--;
    }
    outbox.shift();
    if (next.type === 'batch') {
      const { rows, prepared, nextLine } = next;
      const rest = packRows(prepared.length === 0 ? rows : rows.slice(prepared.length));
      const packed = prepared.length === 0 ? undefined : packPreparedRows(prepared, prepare?.keepCustomers === true);
      const message: FromCsvWorker = { type: 'rows', ...rest, prepared: packed, nextLine };
      const transfer = [rest.shape.buffer];
      if (packed) transfer.push(packed.shape.buffer, packed.ends.buffer, packed.rules.buffer);
      port.postMessage(message, transfer as ArrayBuffer[]);
    } else {
      port.postMessage(next);
    }
  }
};

const closeBatch = () => {
  takeRecords(parser, position, taken);
  if (taken.length === 0) return;
  const rows = taken;
  taken = [];
  if (header === undefined) {
    // The first record taken is the header (row 0): its batch goes as read.
    header = (rows[0] as RawRow).cells;
    startPreparing();
  }
  outbox.push({ type: 'batch', rows, prepared: [], nextLine: position.line });
  schedulePreparing();
};

/** Sends the records still in the parser, then the last message, placed after them. */
const finish = (last: (nextLine: number) => FromCsvWorker) => {
  if (finished) return;
  finished = true;
  closeBatch();
  outbox.push(last(nextRecordLine(parser, position)) as Exclude<FromCsvWorker, { type: 'rows' }>);
  flush();
};

parser.on('readable', () => takeRecords(parser, position, taken));
parser.on('end', () => finish((nextLine) => ({ type: 'ended', nextLine })));
parser.on('error', (error) => {
  const code = error instanceof CsvError ? error.code : undefined;
  finish((nextLine) => ({ type: 'failed', code, message: error.message, nextLine }));
});

port.on('message', (message: ToCsvWorker) => {
  if (message.type === 'credit') {
    credits++;
    flush();
  } else if (finished) {
    // Parsing is over (a failure): more text or its end changes nothing.
  } else if (message.type === 'end') {
    parser.end();
  } else {
    const { bytes } = message;
    parser.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), () => {
      closeBatch();
      outbox.push({ type: 'ack' });
      flush();
    });
  }
});
