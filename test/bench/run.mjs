// Benchmarks for SPEC §5: they print figures, they assert nothing. `npm run bench` builds, then runs this file;
// BENCH_QUICK=1 runs smaller inputs (about a minute). All traffic goes to an in-process sandbox on 127.0.0.1, and
// every file is written under one temp dir that is removed at the end, also on Ctrl-C.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../dist/sandbox/startSandbox.js';
import { benchLocalWork } from './benchLocalWork.mjs';
import { generateCustomers } from './generateCustomers.mjs';
import { benchRate } from './rate.mjs';
import { runMeasured } from './runMeasured.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'customer-sync');
const BASELINE = fileURLToPath(new URL('parseBaseline.mjs', import.meta.url));
const QUICK = process.env.BENCH_QUICK === '1';

/** SPEC §5 conditions for the sync benchmark. */
const LATENCY_MS = 50;
const RATE_LIMIT = 300;
const MAIN_CONCURRENCY = 32;

const PLAN = QUICK
  ? { validateRows: [20_000, 80_000], repeats: 1, syncRows: 5_000, sweepRows: 2_000, sweep: [16, 32, 64] }
  : { validateRows: [100_000, 400_000], repeats: 2, syncRows: 20_000, sweepRows: 5_000, sweep: [16, 32, 64] };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-sync-bench-'));
let sandboxes = [];
process.once('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

try {
  console.log(
    `customer-sync benchmarks (SPEC §5)${QUICK ? ' — quick run (BENCH_QUICK=1)' : ''}\n` +
      `node ${process.version}, ${os.cpus().length} CPUs, ${os.platform()} ${os.arch()}, load average ` +
      `${os
        .loadavg()
        .map((n) => n.toFixed(2))
        .join(' ')} (figures are noisy on a busy machine); scratch dir ${scratch}\n`,
  );
  const results = { quick: QUICK, node: process.version, cpus: os.cpus().length, loadAverage: os.loadavg() };
  results.validate = await benchValidate();
  const sync = await benchSync();
  results.sync = sync.first;
  results.rerun = sync.rerun;
  results.concurrencySweep = await benchConcurrency();
  results.rate = await benchRate({ scratch, quick: QUICK, childOptions });
  Object.assign(results, await benchLocalWork({ scratch, quick: QUICK, childOptions, printTable, verdict, round }));
  console.log(`BENCH_RESULTS ${JSON.stringify(results)}`);
} finally {
  await Promise.allSettled(sandboxes.map((sandbox) => sandbox.close()));
  cleanUp();
}

/** §5.1: validate end to end against bare csv-parse, on two file sizes (time ratio, peak RSS, flatness). */
async function benchValidate() {
  console.log('1. validate vs bare csv-parse (wall time incl. Node start-up; best of %d; peak RSS max)', PLAN.repeats);
  const rows = [];
  let rssSource = 'n/a';
  for (const count of PLAN.validateRows) {
    const file = path.join(scratch, `validate-${count}.csv`);
    const generated = generateCustomers(file, count, 7);
    const bytes = fs.statSync(file).size;
    const baseline = await measureBest(() => runMeasured(process.execPath, [BASELINE, file], childOptions()));
    if (Number(baseline.stdout.trim()) !== count) throw new Error(`baseline counted ${baseline.stdout.trim()}`);
    const reportDir = path.join(scratch, `validate-report-${count}`);
    const validate = await measureBest(() =>
      runMeasured(
        process.execPath,
        [CLI, 'validate', file, '--retailer-id', '1', '--default-country', 'AU', '--report-dir', reportDir],
        childOptions(),
      ),
    );
    if (validate.code !== 0 && validate.code !== 1) throw childFailure('validate', validate);
    rssSource = validate.rssSource;
    const report = readReport(reportDir);
    fs.rmSync(reportDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
    rows.push({
      rows: count,
      fileMb: round(bytes / 2 ** 20, 1),
      badRows: generated.bad,
      rejected: report.totals.rejected,
      valid: report.totals.valid,
      baselineS: round(baseline.wallMs / 1000, 2),
      validateS: round(validate.wallMs / 1000, 2),
      ratio: round(validate.wallMs / baseline.wallMs, 2),
      validateRowsPerS: Math.round(count / (validate.wallMs / 1000)),
      baselineRssMb: round(baseline.peakRssMb, 0),
      validateRssMb: round(validate.peakRssMb, 0),
    });
  }
  const [small, large] = rows;
  const growth = large && small ? round((large.validateRssMb / small.validateRssMb - 1) * 100, 0) : undefined;
  printTable(rows, [
    ['rows', 'rows'],
    ['fileMb', 'file MB'],
    ['rejected', 'rejected'],
    ['baselineS', 'csv-parse s'],
    ['validateS', 'validate s'],
    ['ratio', 'ratio (≤2.0)'],
    ['validateRowsPerS', 'validate rows/s'],
    ['baselineRssMb', 'csv-parse RSS MB'],
    ['validateRssMb', 'validate RSS MB'],
  ]);
  console.log(
    `   targets: ratio ≤ 2.0 → ${rows.map((r) => verdict(r.ratio <= 2)).join(' / ')}; ` +
      `largest RSS < 300 MB → ${verdict(large.validateRssMb < 300)} (${large.validateRssMb} MB); ` +
      `RSS growth ${small.rows}→${large.rows} rows within 30% → ${verdict(growth <= 30)} (+${growth}%)`,
  );
  console.log(`   peak RSS from ${rssSource}\n`);
  return { rows, rssGrowthPercent: growth, rssSource };
}

/** §5.2 and §5.3: a first sync against a slow, rate-limited sandbox, then a re-run of the same file. */
async function benchSync() {
  const flags = ['--rate', String(RATE_LIMIT), '--concurrency', String(MAIN_CONCURRENCY), '--default-country', 'AU'];
  console.log(
    `2. sync against the sandbox (latency ${LATENCY_MS} ms, limit ${RATE_LIMIT} req/s); flags: ${flags.join(' ')}`,
  );
  const file = path.join(scratch, 'sync.csv');
  generateCustomers(file, PLAN.syncRows, 11);
  const sandbox = await openSandbox();
  const checkpoint = path.join(scratch, 'sync', 'checkpoint.sqlite');
  const first = await runSync(sandbox, file, checkpoint, 'first', flags);
  const rerun = await runSync(sandbox, file, checkpoint, 'rerun', flags);
  await closeSandbox(sandbox);
  fs.rmSync(file, { force: true });

  printTable(
    [first],
    [
      ['rows', 'rows'],
      ['created', 'created'],
      ['rejected', 'rejected'],
      ['requests', 'requests'],
      ['lookups', 'lookups'],
      ['effectiveRate', 'eff. rate/s'],
      ['rateShare', 'share of 300 (≥85%)'],
      ['goodRate', 'non-429 rate/s'],
      ['rateLimitedPercent', "429'd % (<1%)"],
      ['lookupsPer50Rows', 'lookups/50 rows (≤1)'],
      ['wallS', 'wall s'],
      ['rowsPerS', 'rows/s'],
      ['rssMb', 'RSS MB'],
    ],
  );
  console.log(
    `   targets: rate share ≥ 85% → ${verdict(first.rateShare >= 85)}; 429s < 1% → ` +
      `${verdict(first.rateLimitedPercent < 1)}; ≤ 1 lookup per 50 rows → ${verdict(first.lookupsPer50Rows <= 1)}`,
  );
  console.log(
    `   effective rate = report.json requests.effectiveRate (GraphQL requests over the apply phase); over the whole ` +
      `wall time it is ${first.wallRate}/s. Lookups and 429s as the sandbox counted them ` +
      `(the client counted ${first.clientRateLimited} 429s, ${first.clientRetries} retries).\n`,
  );

  console.log('3. re-run of the unchanged file, same sandbox and checkpoint');
  printTable(
    [rerun],
    [
      ['rows', 'rows'],
      ['unchanged', 'unchanged'],
      ['mutations', 'mutations (0)'],
      ['requests', 'requests'],
      ['requestsPer100Rows', 'requests/100 rows (<1)'],
      ['wallS', 'wall s'],
      ['rowsPerS', 'rows/s'],
    ],
  );
  console.log(
    `   targets: zero mutations → ${verdict(rerun.mutations === 0)}; < 1 request per 100 rows → ` +
      `${verdict(rerun.requestsPer100Rows < 1)}\n`,
  );
  return { first, rerun, flags: flags.join(' ') };
}

/** The first sync at several --concurrency values, each on a fresh sandbox and checkpoint, same file size. */
async function benchConcurrency() {
  console.log(`4. --concurrency sweep: first sync of ${PLAN.sweepRows} rows, fresh sandbox each, --rate ${RATE_LIMIT}`);
  const file = path.join(scratch, 'sweep.csv');
  generateCustomers(file, PLAN.sweepRows, 13);
  const rows = [];
  for (const concurrency of PLAN.sweep) {
    const sandbox = await openSandbox();
    const flags = ['--rate', String(RATE_LIMIT), '--concurrency', String(concurrency), '--default-country', 'AU'];
    const run = await runSync(sandbox, file, path.join(scratch, `sweep-${concurrency}`, 'c.sqlite'), 'sweep', flags);
    rows.push({ concurrency, ...run });
    await closeSandbox(sandbox);
  }
  fs.rmSync(file, { force: true });
  printTable(rows, [
    ['concurrency', '--concurrency'],
    ['requests', 'requests'],
    ['effectiveRate', 'eff. rate/s'],
    ['rateShare', 'share of 300'],
    ['goodRate', 'non-429 rate/s'],
    ['rateLimitedPercent', "429'd %"],
    ['rssMb', 'RSS MB'],
    ['wallS', 'wall s'],
    ['rowsPerS', 'rows/s'],
  ]);
  const best = rows.reduce((a, b) => (b.rowsPerS > a.rowsPerS ? b : a));
  console.log(`   best: --rate ${RATE_LIMIT} --concurrency ${best.concurrency} (${best.rowsPerS} rows/s)\n`);
  return { rows: PLAN.sweepRows, runs: rows, best: best.concurrency };
}

/** One `customer-sync sync` through the CLI, with the sandbox's counters taken before and after. */
async function runSync(sandbox, file, checkpoint, label, flags) {
  const reportDir = path.join(scratch, `report-${label}-${Date.now()}`);
  const before = sandbox.stats();
  const env = childOptions({
    FLUENT_API_HOST: sandbox.url,
    FLUENT_RETAILER_ID: '1',
    FLUENT_CLIENT_ID: 'bench',
    FLUENT_CLIENT_SECRET: 'bench',
    FLUENT_USERNAME: 'bench',
    FLUENT_PASSWORD: 'bench',
  });
  const run = await runMeasured(
    process.execPath,
    [CLI, 'sync', file, ...flags, '--checkpoint', checkpoint, '--report-dir', reportDir],
    env,
  );
  const after = sandbox.stats();
  // A crashed or aborted run is a figure too: report it and go on with the other benchmarks.
  const report = fs.existsSync(path.join(reportDir, 'report.json')) ? readReport(reportDir) : undefined;
  fs.rmSync(reportDir, { recursive: true, force: true });
  let error;
  if (run.code !== 0 && run.code !== 1) {
    error = `exit ${run.code}${report ? '' : ', no report'}: ${lastLine(run.stderr)}`;
    console.log(`   !! sync (${label}) ${error}`);
  }
  const delta = (key) => after[key] - before[key];
  const rows = report?.totals.read ?? PLAN.syncRows;
  const totals = report?.totals ?? {};
  const requestStats = report?.requests ?? {};
  const requests = delta('graphql');
  const wallS = run.wallMs / 1000;
  return {
    exitCode: run.code,
    ...(error ? { error } : {}),
    rows,
    created: totals.created,
    updated: totals.updated,
    unchanged: totals.unchanged,
    rejected: totals.rejected,
    failed: totals.failed,
    requests,
    clientRequests: requestStats.graphql,
    lookups: delta('queries'),
    mutations: delta('mutations'),
    rateLimited: delta('rateLimited'),
    clientRateLimited: requestStats.rateLimited,
    clientRetries: requestStats.retries,
    effectiveRate: requestStats.effectiveRate,
    rateShare: round((requestStats.effectiveRate / RATE_LIMIT) * 100, 1),
    // The same over the apply phase, counting only requests that were not 429'd.
    goodRate: round(
      ((requestStats.graphql - requestStats.rateLimited) * requestStats.effectiveRate) / requestStats.graphql,
      1,
    ),
    wallRate: round(requests / wallS, 1),
    rateLimitedPercent: requests === 0 ? 0 : round((delta('rateLimited') / requests) * 100, 2),
    lookupsPer50Rows: round(delta('queries') / (rows / 50), 2),
    requestsPer100Rows: round((requests / rows) * 100, 2),
    durationMs: report?.durationMs,
    wallS: round(wallS, 2),
    rowsPerS: Math.round(rows / wallS),
    rssMb: round(run.peakRssMb, 0),
  };
}

async function openSandbox() {
  const sandbox = await startSandbox({ port: 0, faults: { latencyMs: LATENCY_MS, rateLimitPerSecond: RATE_LIMIT } });
  sandboxes.push(sandbox);
  return sandbox;
}

async function closeSandbox(sandbox) {
  sandboxes = sandboxes.filter((s) => s !== sandbox);
  await sandbox.close();
}

/** Runs a measurement PLAN.repeats times: the fastest wall time, and the highest peak RSS seen. */
async function measureBest(measure) {
  let best;
  let peak = 0;
  for (let i = 0; i < PLAN.repeats; i++) {
    const run = await measure();
    peak = Math.max(peak, run.peakRssMb ?? 0);
    if (!best || run.wallMs < best.wallMs) best = run;
  }
  return { ...best, peakRssMb: peak };
}

/**
 * Child options: the scratch dir as TMPDIR (validate's staging file lands there), no inherited FLUENT_* settings
 * or proxies, so the only host a child talks to is the one given here.
 */
function childOptions(extraEnv = {}) {
  const env = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith('FLUENT_') && !/^(https?|all)_proxy$/i.test(key)) env[key] = value;
  }
  return {
    cwd: ROOT,
    env: { ...env, TMPDIR: scratch, NO_PROXY: '127.0.0.1', ...extraEnv },
    scratchDir: scratch,
    timeoutMs: 5 * 60_000,
  };
}

function readReport(reportDir) {
  return JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
}

function childFailure(what, run) {
  return new Error(`${what} exited ${run.code}:\n${run.stderr.slice(-2000)}`);
}

function lastLine(text) {
  return text.trim().split('\n').at(-1) ?? '';
}

function printTable(rows, columns) {
  const cells = rows.map((row) => columns.map(([key]) => formatCell(row[key])));
  const widths = columns.map(([, title], i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const line = (values) => `   ${values.map((value, i) => value.padStart(widths[i])).join('  ')}`;
  console.log(line(columns.map(([, title]) => title)));
  console.log(line(widths.map((width) => '-'.repeat(width))));
  for (const values of cells) console.log(line(values));
}

function formatCell(value) {
  if (value === undefined || value === null) return 'n/a';
  return typeof value === 'number' ? value.toLocaleString('en-US', { maximumFractionDigits: 2 }) : String(value);
}

function verdict(ok) {
  return ok ? 'met' : 'MISSED';
}

function round(value, digits) {
  if (value === undefined || Number.isNaN(value)) return undefined;
  const scale = 10 ** digits;
  return Math.round(value * scale) / scale;
}

function cleanUp() {
  for (const sandbox of sandboxes) sandbox.close().catch(() => {});
  sandboxes = [];
  fs.rmSync(scratch, { recursive: true, force: true });
}
