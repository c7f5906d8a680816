import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { stageRows as StageRows } from '../../src/check/stageRows.js';
import type { openScratchJournal as OpenScratchJournal } from '../../src/checkpoint/openCheckpoint.js';
import type { RunJournal } from '../../src/checkpoint/runJournal.js';
import type { loadMapping as LoadMapping } from '../../src/normalise/loadMapping.js';
import type { Shard } from '../../src/options/index.js';
import type { SettleRows } from '../../src/plan/decideStaging.js';
import type { NormaliseSetup } from '../../src/read/createNormaliseContext.js';
import type { limitBatches as LimitBatches, limitRows as LimitRows } from '../../src/read/limitRows.js';
import type { openInput as OpenInput } from '../../src/read/openInput.js';
import type { RowBatch } from '../../src/read/startCsvParser.js';
import { PROJECT_ROOT } from '../helpers/runCli.js';

// Rows are prepared in the parser's worker thread only from the compiled build (dist/read/csvWorker.js), so these
// tests drive the built reader and stager, and hold what a worker prepared to what this thread prepares of the same
// file: every outcome, reason, reject, review line, rejected value, open row and count.
let stageRows: typeof StageRows;
let openScratchJournal: typeof OpenScratchJournal;
let openInput: typeof OpenInput;
let loadMapping: typeof LoadMapping;
let limitBatches: typeof LimitBatches;
let limitRows: typeof LimitRows;
let dir: string;
let mappingFile: string;

const load = async <T>(file: string) => (await import(path.join(PROJECT_ROOT, 'dist', file))) as T;

beforeAll(async () => {
  ({ stageRows } = await load<{ stageRows: typeof StageRows }>('check/stageRows.js'));
  ({ openScratchJournal } = await load<{ openScratchJournal: typeof OpenScratchJournal }>(
    'checkpoint/openCheckpoint.js',
  ));
  ({ openInput } = await load<{ openInput: typeof OpenInput }>('read/openInput.js'));
  ({ loadMapping } = await load<{ loadMapping: typeof LoadMapping }>('normalise/loadMapping.js'));
  ({ limitBatches, limitRows } = await load<{ limitBatches: typeof LimitBatches; limitRows: typeof LimitRows }>(
    'read/limitRows.js',
  ));
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stage-worker-'));
  mappingFile = path.join(dir, 'mapping.json');
  fs.writeFileSync(
    mappingFile,
    JSON.stringify({
      columns: { EMAIL: 'primaryEmail', FIRST: 'firstName', LAST: 'lastName', PHONE: 'primaryPhone', LAND: 'country' },
      attributes: { TIER: { name: 'loyaltyTier', type: 'STRING' } },
      values: { country: { Oz: 'AU', Kiwi: 'NZ' }, promotionOptIn: { Subscribed: true } },
    }),
  );
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** An export with every kind of row staging tells apart, long enough to span many chunks and batches. */
function anExport(rows: number): string {
  const lines = ['EMAIL,FIRST,LAST,PHONE,LAND,OPT,TIER,CRM'];
  for (let i = 1; i <= rows; i++) {
    const kind = i % 23;
    const email = kind === 1 ? 'not-an-email' : kind === 2 ? '' : `User${i % 4000}@Example.com`;
    const first = kind === 3 ? '=HYPERLINK("x")' : i % 5 === 0 ? ' Zoë  ' : 'Ann';
    const phone = kind === 4 ? '0412 345 678 ext 9' : kind === 5 ? '+1 202 555 01' : i % 3 === 0 ? '0412 345 678' : '';
    const land = i % 7 === 0 ? 'Oz' : i % 11 === 0 ? 'Kiwi' : i % 2 === 0 ? 'Australia' : '';
    const opt = i % 4 === 0 ? 'Subscribed' : kind === 6 ? 'maybe' : 'no';
    const extra = kind === 7 ? ',spilled' : '';
    const notes = kind === 8 ? `"two\nlines"` : `T${i % 3}`;
    lines.push(`${email},${first},"O""Lee ${i}",${phone},${land},${opt},${notes},CRM-${i}${extra}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Everything a run keeps of its staged rows, as a comparable value. */
function stagedContent(journal: RunJournal, runId: string) {
  return {
    outcomes: [...journal.outcomes(runId)],
    rejects: [...journal.rejects(runId)],
    review: [...journal.reviewRows(runId)],
    rejectedValues: journal.rejectedValues(runId, 50),
    open: journal.openRows(runId, 0, 100_000),
    duplicates: [...journal.duplicateGroups(runId)],
  };
}

/** Holds this thread back for a moment, so the worker has time to prepare rows of its own. */
const pause = (ms = 3) => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);

/** A sync's settle: some rows left open (planned from their customer later), the others settled naming it. */
const settleSome: SettleRows = (rows) => {
  pause();
  return rows.map((row) =>
    row.hash.endsWith('0') ? undefined : { kind: 'valid', reason: `${row.customer.username} ${row.notes.join('; ')}` },
  );
};

async function stageFile(
  file: string,
  options: { shard?: Shard; limit?: number; inWorker: boolean; settle: SettleRows; keepCustomers: boolean },
) {
  const setup: NormaliseSetup = {
    mapping: loadMapping(mappingFile),
    usernameTemplate: '{retailerId}_{primaryEmail}',
    retailerId: '7',
    defaultCountry: 'AU',
    phoneExtension: 'reject',
    allowFormulaValues: false,
  };
  const input = await openInput(
    {
      file,
      encoding: 'utf8',
      sheet: undefined,
      mapping: mappingFile,
      usernameTemplate: setup.usernameTemplate,
      retailerId: setup.retailerId,
      defaultCountry: setup.defaultCountry,
      phoneExtension: setup.phoneExtension,
      allowFormulaValues: setup.allowFormulaValues,
      shard: options.shard,
    },
    undefined,
    options.inWorker ? { keepCustomers: options.keepCustomers } : undefined,
  );
  const scratch = openScratchJournal();
  const { journal } = scratch;
  journal.startRun({ runId: 'r', mode: 'validate', apiHost: null, retailerId: '7', inputPath: file, context: {} });
  let preparedRows = 0;
  let read = 0;
  async function* counted(batches: AsyncIterable<RowBatch>): AsyncGenerator<RowBatch> {
    for await (const batch of batches) {
      if (batch.prepared) preparedRows += batch.rows.length;
      yield batch;
    }
  }
  const { batches } = input.source;
  expect(batches !== undefined).toBe(true);
  const { limit } = options;
  const limited = batches && limit !== undefined ? limitBatches(batches, limit) : batches;
  const staged = await stageRows({
    rows: limit === undefined ? input.source.rows : limitRows(input.source.rows, limit),
    batches: options.inWorker && limited ? counted(limited) : undefined,
    context: input.context,
    shard: options.shard,
    journal,
    runId: 'r',
    settle: options.settle,
    signal: new AbortController().signal,
    // Long enough after the first row for the worker to load what it prepares with and prepare what it holds.
    onRow: () => {
      if (++read === 1 && options.inWorker) pause(1_000);
    },
  });
  try {
    return { ...staged, content: stagedContent(journal, 'r'), preparedRows };
  } finally {
    scratch.close();
  }
}

describe('rows prepared in the worker thread', () => {
  it('stage exactly as rows prepared on this thread: outcomes, rejects, review, open rows and counts', async () => {
    const file = path.join(dir, 'export.csv');
    fs.writeFileSync(file, anExport(6_000));
    const onThread = await stageFile(file, { inWorker: false, settle: settleSome, keepCustomers: true });
    const inWorker = await stageFile(file, { inWorker: true, settle: settleSome, keepCustomers: true });
    expect(inWorker.preparedRows).toBeGreaterThan(0);
    expect({ ...inWorker, preparedRows: 0 }).toEqual({ ...onThread, preparedRows: 0 });
    expect(inWorker.read).toBe(6_000);
    expect(inWorker.content.open.length).toBeGreaterThan(0);
    expect(inWorker.content.review.length).toBeGreaterThan(0);
    expect(inWorker.content.duplicates.length).toBeGreaterThan(0);
    expect(inWorker.normalised.countryTranslated).toBeGreaterThan(0);
  });

  it('with --shard and --limit, and without the customers of a validate', async () => {
    const file = path.join(dir, 'export-shard.csv');
    fs.writeFileSync(file, anExport(5_000));
    const settleValid: SettleRows = (rows) => {
      pause();
      return rows.map((row) => ({ kind: 'valid', reason: row.notes.join('; ') }));
    };
    for (const options of [{ shard: { index: 2, count: 3 } }, { limit: 3_333 }]) {
      const onThread = await stageFile(file, {
        ...options,
        inWorker: false,
        settle: settleValid,
        keepCustomers: false,
      });
      const inWorker = await stageFile(file, { ...options, inWorker: true, settle: settleValid, keepCustomers: false });
      expect(inWorker.preparedRows).toBeGreaterThan(0);
      expect({ ...inWorker, preparedRows: 0 }).toEqual({ ...onThread, preparedRows: 0 });
    }
  });
});
