// The worker thread of startCsvWorker: csv-parse over the text's bytes, records sent back in batches as the reader
// allows (see FromCsvWorker for the order of messages).
import { parentPort, workerData } from 'node:worker_threads';
import { CsvError } from 'csv-parse';
import type { RawRow } from '../types.js';
import { createCsvParser } from './createCsvParser.js';
import { packRows } from './packRows.js';
import type { CsvWorkerSetup, FromCsvWorker, ToCsvWorker } from './startCsvWorker.js';
import { nextRecordLine, type RecordPosition, takeRecords } from './takeRecords.js';

const port = parentPort;
if (port === null) throw new Error('csvWorker.js runs as a worker thread of startCsvWorker');
const { delimiter, credits: firstCredits } = workerData as CsvWorkerSetup;
const parser = createCsvParser(delimiter);
const position: RecordPosition = { line: 1, row: 0, excess: 0 };
let credits = firstCredits;
let taken: RawRow[] = [];
let finished = false;
/** Messages not sent yet, in order: a batch of rows waits for a credit, and everything after it waits with it. */
const outbox: FromCsvWorker[] = [];

const flush = () => {
  while (outbox.length > 0) {
    const next = outbox[0] as FromCsvWorker;
    if (next.type === 'rows') {
      if (credits === 0) return;
      credits--;
    }
    outbox.shift();
    port.postMessage(next, next.type === 'rows' ? [next.shape.buffer as ArrayBuffer] : []);
  }
};

const closeBatch = () => {
  takeRecords(parser, position, taken);
  if (taken.length === 0) return;
  outbox.push({ type: 'rows', ...packRows(taken), nextLine: position.line });
  taken = [];
};

/** Sends the records still in the parser, then the last message, placed after them. */
const finish = (last: (nextLine: number) => FromCsvWorker) => {
  if (finished) return;
  finished = true;
  closeBatch();
  outbox.push(last(nextRecordLine(parser, position)));
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
