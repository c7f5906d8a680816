// Benchmarks for SPEC §5: they print each figure beside its target, and assert nothing. `npm run bench` builds, then
// runs this file; BENCH_QUICK=1 runs smaller inputs (a few minutes), BENCH_ONLY=validate,rerun,sync,rate runs only those
// parts. All traffic goes to in-process sandboxes on 127.0.0.1, and every file is written under one temp dir that is
// removed at the end, also on Ctrl-C. The last table gathers every figure beside its target.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../dist/sandbox/startSandbox.js';
import { benchNightlyRerun, benchValidate, localPlan } from './benchLocalWork.mjs';
import { generateCustomers } from './generateCustomers.mjs';
import { benchRate } from './rate.mjs';
import { runMeasured } from './runMeasured.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'customer-sync');
const QUICK = process.env.BENCH_QUICK === '1';
const PARTS = ['validate', 'rerun', 'sync', 'rate'];
const ONLY = process.env.BENCH_ONLY ? process.env.BENCH_ONLY.split(',').map((part) => part.trim()) : PARTS;
for (const part of ONLY) {
  if (!PARTS.includes(part)) throw new Error(`BENCH_ONLY takes ${PARTS.join(', ')}, not ${part}`);
}

/** SPEC §5 conditions for the sync benchmark. */
const LATENCY_MS = 50;
const RATE_LIMIT = 300;
const MAIN_CONCURRENCY = 32;

const PLAN = QUICK
  ? { syncRows: 5_000, sweepRows: 2_000, sweep: [16, 32, 64] }
  : { syncRows: 20_000, sweepRows: 5_000, sweep: [16, 32, 64] };

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-sync-bench-'));
let sandboxes = [];
process.once('SIGINT', () => {
  cleanUp();
  process.exit(130);
});

try {
  const cpus = os.cpus();
  const machine = {
    date: new Date().toISOString(),
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    node: process.version,
    platform: `${os.platform()} ${os.arch()}`,
    loadAverage: os.loadavg().map((n) => round(n, 2)),
  };
  console.log(
    `customer-sync benchmarks (SPEC §5)${QUICK ? ' — quick run (BENCH_QUICK=1)' : ''}` +
      `${ONLY.length < PARTS.length ? ` — only ${ONLY.join(', ')}` : ''}\n` +
      `${machine.date}; ${machine.cpu}, ${machine.cores} cores; node ${machine.node}, ${machine.platform}; ` +
      `load average ${machine.loadAverage.join(' ')} at the start (figures are noisy on a busy machine)\n`,
  );
  const bench = { scratch, quick: QUICK, childOptions, printTable, verdict, round };
  const local = localPlan(QUICK);
  const results = { quick: QUICK, machine };
  const targets = [];
  if (ONLY.includes('validate')) {
    results.validate = await benchValidate(bench, local);
    targets.push(...results.validate.targets);
  }
  if (ONLY.includes('rerun')) {
    results.rerun = await benchNightlyRerun(bench, local);
    targets.push(...results.rerun.targets);
  }
  if (ONLY.includes('sync')) {
    const sync = await benchSync();
    results.sync = sync.first;
    results.syncRerun = sync.rerun;
    targets.push(...sync.targets);
    results.concurrencySweep = await benchConcurrency();
  }
  if (ONLY.includes('rate')) {
    results.rate = await benchRate({ scratch, quick: QUICK, childOptions });
    targets.push(...rateTargets(results.rate));
  }
  machine.loadAverageAtEnd = os.loadavg().map((n) => round(n, 2));
  console.log(
    `SPEC §5 targets — ${machine.date}, ${machine.cpu}, ${machine.cores} cores, node ${machine.node}; load average ` +
      `${machine.loadAverage.join(' ')} at the start, ${machine.loadAverageAtEnd.join(' ')} at the end`,
  );
  printTable(
    targets.map((t) => ({ ...t, verdict: verdict(t.met) })),
    [
      ['what', 'what'],
      ['figure', 'figure'],
      ['target', 'target'],
      ['verdict', ''],
    ],
    'left',
  );
  results.targets = targets;
  console.log(`\nBENCH_RESULTS ${JSON.stringify(results)}`);
} finally {
  await Promise.allSettled(sandboxes.map((sandbox) => sandbox.close()));
  cleanUp();
}

/** The targets the rate benchmarks (rate.mjs) measure: the worst run of each kind over every shape of limit. */
function rateTargets({ hiddenLimit, rate, batchLimit, batch }) {
  // SPEC's four shapes of limit: the first run of each (rate.mjs adds a penalty box with a longer penalty last).
  const shapes = (runs) => runs.filter((run, i) => runs.findIndex((other) => kind(other) === kind(run)) === i);
  const kind = (run) => run.shape.split(' ')[0];
  const auto = shapes(rate.filter((run) => run.label === '--rate auto'));
  const high = shapes(rate.filter((run) => run.label.includes('(4×)')));
  const told = batch[0];
  const least = (runs, key) => Math.min(...runs.map((run) => run[key] ?? 0));
  const most = (runs, key) => Math.max(...runs.map((run) => run[key] ?? Number.POSITIVE_INFINITY));
  return [
    {
      what: `--rate auto, ${hiddenLimit} req/s limit not told (worst of ${auto.length} limit shapes)`,
      figure: `${least(auto, 'limitShare')}% of the limit, ${most(auto, 'refusedPercent')}% refused`,
      target: '≥ 75%, ≤ 3%',
      met: least(auto, 'limitShare') >= 75 && most(auto, 'refusedPercent') <= 3,
    },
    {
      what: `--rate ${4 * hiddenLimit}, 4× the limit (worst of ${high.length} limit shapes)`,
      figure: `${most(high, 'refusedPercent')}% refused, ${most(high, 'failed')} failed rows`,
      target: '≤ 5%, none failed',
      met: most(high, 'refusedPercent') <= 5 && most(high, 'failed') === 0,
    },
    {
      what: `${told.label}, ${batchLimit} req/s limit`,
      figure: `${told.appliedPerS} rows/s applied`,
      target: `≥ ${10 * batchLimit} rows/s`,
      met: told.appliedPerS >= 10 * batchLimit,
    },
  ];
}

/** §5.2 and §5.3: a first sync against a slow, rate-limited sandbox, then a re-run of the same file. */
async function benchSync() {
  const flags = ['--rate', String(RATE_LIMIT), '--concurrency', String(MAIN_CONCURRENCY), '--default-country', 'AU'];
  console.log(
    `3. sync against the sandbox (latency ${LATENCY_MS} ms, limit ${RATE_LIMIT} req/s); flags: ${flags.join(' ')}`,
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

  console.log('   re-run of the unchanged file, same sandbox and checkpoint');
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
  const targets = [
    {
      what: `first sync of ${first.rows.toLocaleString('en-US')} rows, ${RATE_LIMIT} req/s limit, ${LATENCY_MS} ms latency`,
      figure: `${first.rateShare}% of the limit, ${first.rateLimitedPercent}% 429'd, ${first.lookupsPer50Rows} lookups/50 rows`,
      target: '≥ 85%, < 1%, ≤ 1',
      met: first.rateShare >= 85 && first.rateLimitedPercent < 1 && first.lookupsPer50Rows <= 1,
    },
  ];
  return { first, rerun, flags: flags.join(' '), targets };
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

function lastLine(text) {
  return text.trim().split('\n').at(-1) ?? '';
}

/** A table of `rows`, one column per [key, title]: numbers right-aligned, or every cell left-aligned (`left`). */
function printTable(rows, columns, align = 'right') {
  const cells = rows.map((row) => columns.map(([key]) => formatCell(row[key])));
  const widths = columns.map(([, title], i) => Math.max(title.length, ...cells.map((line) => line[i].length)));
  const pad = (value, width) => (align === 'left' ? value.padEnd(width) : value.padStart(width));
  const line = (values) => `   ${values.map((value, i) => pad(value, widths[i])).join('  ')}`.trimEnd();
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
