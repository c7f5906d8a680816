// Benchmarks of the work done without the OMS (SPEC §5): the nightly re-run of an unchanged file against bare
// csv-parse, and the peak memory of a very large `validate`. They print figures and assert nothing. Called from run.mjs,
// which owns the scratch dir and the shared helpers; all traffic goes to an in-process sandbox on 127.0.0.1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../dist/sandbox/startSandbox.js';
import { generateCustomers } from './generateCustomers.mjs';
import { runMeasured } from './runMeasured.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'customer-sync');
const BASELINE = fileURLToPath(new URL('parseBaseline.mjs', import.meta.url));

/** SPEC §5: a re-run of an unchanged file within 2.5× bare csv-parse; validate's memory flat in the file size. */
const RERUN_LIMIT = 2.5;
const RSS_LIMIT_MB = 300;

/**
 * @param {{ scratch: string, quick: boolean, childOptions: (env?: object) => object,
 *   printTable: (rows: object[], columns: [string, string][]) => void, verdict: (ok: boolean) => string,
 *   round: (value: number, digits: number) => number }} bench
 */
export async function benchLocalWork(bench) {
  const plan = bench.quick
    ? { rerunRows: 20_000, repeats: 1, memoryRows: [100_000, 400_000] }
    : { rerunRows: 100_000, repeats: 3, memoryRows: [100_000, 2_000_000] };
  return { rerun: await benchNightlyRerun(bench, plan), validateMemory: await benchValidateMemory(bench, plan) };
}

/**
 * The nightly re-run: a first sync puts every row of the file into the OMS and the checkpoint, then the same file is
 * synced again from a copy of that checkpoint, best of N, against bare csv-parse on the same file.
 */
async function benchNightlyRerun(bench, plan) {
  const { scratch, round } = bench;
  console.log(
    `5. nightly re-run of an unchanged ${plan.rerunRows}-row file vs bare csv-parse (best of ${plan.repeats})`,
  );
  const file = path.join(scratch, 'nightly.csv');
  generateCustomers(file, plan.rerunRows, 17);
  const sandbox = await startSandbox({ port: 0 });
  try {
    const first = path.join(scratch, 'nightly-first', 'checkpoint.sqlite');
    const firstRun = await syncOnce(bench, sandbox, file, first, 'nightly-first', [
      '--rate',
      '5000',
      '--concurrency',
      '32',
    ]);
    if (!firstRun.report) throw new Error(`the first sync failed: ${firstRun.stderr.slice(-500)}`);

    let best;
    for (let i = 0; i < plan.repeats; i++) {
      const checkpoint = path.join(scratch, `nightly-rerun-${i}`, 'checkpoint.sqlite');
      fs.mkdirSync(path.dirname(checkpoint), { recursive: true, mode: 0o700 });
      fs.copyFileSync(first, checkpoint);
      const before = sandbox.stats();
      const run = await syncOnce(bench, sandbox, file, checkpoint, `nightly-rerun-${i}`, []);
      const after = sandbox.stats();
      if (!run.report) throw new Error(`the re-run failed: ${run.stderr.slice(-500)}`);
      run.requests = after.graphql - before.graphql;
      run.mutations = after.mutations - before.mutations;
      if (!best || run.wallMs < best.wallMs) best = run;
    }
    const baseline = await bestOf(plan.repeats, () =>
      runMeasured(process.execPath, [BASELINE, file], bench.childOptions()),
    );
    const row = {
      rows: plan.rerunRows,
      unchanged: best.report.totals.unchanged,
      requests: best.requests,
      mutations: best.mutations,
      baselineS: round(baseline.wallMs / 1000, 2),
      rerunS: round(best.wallMs / 1000, 2),
      times: round(best.wallMs / baseline.wallMs, 2),
      speedRatio: round(baseline.wallMs / best.wallMs, 2),
      rssMb: round(best.peakRssMb, 0),
    };
    bench.printTable(
      [row],
      [
        ['rows', 'rows'],
        ['unchanged', 'unchanged'],
        ['requests', 'requests'],
        ['mutations', 'mutations'],
        ['baselineS', 'csv-parse s'],
        ['rerunS', 're-run s'],
        ['times', `× csv-parse (≤${RERUN_LIMIT})`],
        ['speedRatio', 'csv-parse ÷ re-run (≥0.4)'],
        ['rssMb', 'RSS MB'],
      ],
    );
    console.log(`   target: re-run ≤ ${RERUN_LIMIT}× csv-parse → ${bench.verdict(row.times <= RERUN_LIMIT)}\n`);
    return row;
  } finally {
    await sandbox.close();
    fs.rmSync(file, { force: true });
  }
}

/** validate of a small and a very large file: peak RSS must stay flat in the file size and under 300 MB. */
async function benchValidateMemory(bench, plan) {
  const { scratch, round } = bench;
  console.log(`6. validate memory: peak RSS of ${plan.memoryRows.join(' and ')} rows`);
  const rows = [];
  for (const count of plan.memoryRows) {
    const file = path.join(scratch, `memory-${count}.csv`);
    generateCustomers(file, count, 23);
    const reportDir = path.join(scratch, `memory-report-${count}`);
    const run = await runMeasured(
      process.execPath,
      [CLI, 'validate', file, '--retailer-id', '1', '--default-country', 'AU', '--report-dir', reportDir],
      { ...bench.childOptions(), timeoutMs: 30 * 60_000 },
    );
    if (run.code !== 0 && run.code !== 1) throw new Error(`validate exited ${run.code}: ${run.stderr.slice(-500)}`);
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
    rows.push({
      rows: count,
      fileMb: round(fs.statSync(file).size / 2 ** 20, 0),
      read: report.totals.read,
      validateS: round(run.wallMs / 1000, 1),
      rowsPerS: Math.round(count / (run.wallMs / 1000)),
      rssMb: round(run.peakRssMb, 0),
    });
    fs.rmSync(reportDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
  }
  bench.printTable(rows, [
    ['rows', 'rows'],
    ['fileMb', 'file MB'],
    ['read', 'read'],
    ['validateS', 'validate s'],
    ['rowsPerS', 'rows/s'],
    ['rssMb', 'peak RSS MB'],
  ]);
  const [small, large] = rows;
  const growth = round((large.rssMb / small.rssMb - 1) * 100, 0);
  console.log(
    `   targets: largest < ${RSS_LIMIT_MB} MB → ${bench.verdict(large.rssMb < RSS_LIMIT_MB)} (${large.rssMb} MB); ` +
      `${small.rows}→${large.rows} rows within 30% → ${bench.verdict(growth <= 30)} (+${growth}%)\n`,
  );
  return { rows, rssGrowthPercent: growth };
}

/** One `customer-sync sync` of `file` against the sandbox through the CLI, with its report when it wrote one. */
async function syncOnce(bench, sandbox, file, checkpoint, label, flags) {
  const reportDir = path.join(bench.scratch, `report-${label}`);
  const env = bench.childOptions({
    FLUENT_API_HOST: sandbox.url,
    FLUENT_RETAILER_ID: '1',
    FLUENT_CLIENT_ID: 'bench',
    FLUENT_CLIENT_SECRET: 'bench',
    FLUENT_USERNAME: 'bench',
    FLUENT_PASSWORD: 'bench',
  });
  const run = await runMeasured(
    process.execPath,
    [CLI, 'sync', file, '--default-country', 'AU', ...flags, '--checkpoint', checkpoint, '--report-dir', reportDir],
    { ...env, timeoutMs: 15 * 60_000 },
  );
  const reportFile = path.join(reportDir, 'report.json');
  const report = fs.existsSync(reportFile) ? JSON.parse(fs.readFileSync(reportFile, 'utf8')) : undefined;
  fs.rmSync(reportDir, { recursive: true, force: true });
  return { ...run, report };
}

async function bestOf(times, measure) {
  let best;
  for (let i = 0; i < times; i++) {
    const run = await measure();
    if (!best || run.wallMs < best.wallMs) best = run;
  }
  return best;
}
