// Benchmarks of the work done without the OMS (SPEC §5): `validate` against bare csv-parse with its peak memory, and
// the nightly re-run of an unchanged file against bare csv-parse. Each ratio comes from runs interleaved with the
// baseline's (baseline, run, baseline, run, …) and their medians, so a busy spell of the machine weighs on both sides.
// They print figures and assert nothing. Called from run.mjs, which owns the scratch dir and the shared helpers; all
// traffic goes to an in-process sandbox on 127.0.0.1.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSandbox } from '../../dist/sandbox/startSandbox.js';
import { generateCustomers } from './generateCustomers.mjs';
import { runMeasured } from './runMeasured.mjs';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const CLI = path.join(ROOT, 'bin', 'customer-sync');
const BASELINE = fileURLToPath(new URL('parseBaseline.mjs', import.meta.url));

/** SPEC §5's targets for the work done without the OMS. */
export const LOCAL_TARGETS = {
  validateSpeed: 0.6,
  validateStretch: 0.8,
  rssLimitMb: 300,
  rssGrowthPercent: 15,
  rerunSpeed: 0.5,
};

/** The file sizes and repeats: BENCH_QUICK=1 runs smaller ones. */
export function localPlan(quick) {
  return quick
    ? { validateRows: [20_000, 80_000], memoryRows: 200_000, repeats: 1, rerunRows: 20_000 }
    : { validateRows: [100_000, 400_000], memoryRows: 2_000_000, repeats: 3, rerunRows: 100_000 };
}

/**
 * `bench`: { scratch, quick, childOptions, printTable, round } from run.mjs.
 *
 * validate of each size against bare csv-parse (speed ratio = csv-parse's median wall time over validate's), and the
 * peak RSS of every size and of a very large file, which must stay flat in the file size.
 */
export async function benchValidate(bench, plan) {
  const { scratch, round } = bench;
  console.log(
    `1. validate vs bare csv-parse: wall time incl. Node start-up, median of ${plan.repeats} runs interleaved with ` +
      `csv-parse's; peak RSS the highest seen`,
  );
  const rows = [];
  for (const count of [...plan.validateRows, plan.memoryRows]) {
    const file = path.join(scratch, `validate-${count}.csv`);
    generateCustomers(file, count, 7);
    const bytes = fs.statSync(file).size;
    const reportDir = path.join(scratch, `validate-report-${count}`);
    // The very large file is there for its memory: once, without a baseline.
    const timed = count !== plan.memoryRows;
    const { baseline, measured } = await interleaved(timed ? plan.repeats : 1, {
      baseline: timed ? () => runBaseline(bench, file, count) : undefined,
      measured: async () => {
        fs.rmSync(reportDir, { recursive: true, force: true });
        const run = await runMeasured(
          process.execPath,
          [CLI, 'validate', file, '--retailer-id', '1', '--default-country', 'AU', '--report-dir', reportDir],
          { ...bench.childOptions(), timeoutMs: 30 * 60_000 },
        );
        if (run.code !== 0 && run.code !== 1) throw new Error(`validate exited ${run.code}: ${run.stderr.slice(-500)}`);
        return run;
      },
    });
    const report = JSON.parse(fs.readFileSync(path.join(reportDir, 'report.json'), 'utf8'));
    fs.rmSync(reportDir, { recursive: true, force: true });
    fs.rmSync(file, { force: true });
    rows.push({
      rows: count,
      fileMb: round(bytes / 2 ** 20, 1),
      rejected: report.totals.rejected,
      baselineS: baseline && round(baseline.wallMs / 1000, 2),
      validateS: round(measured.wallMs / 1000, 2),
      speed: baseline && round(baseline.wallMs / measured.wallMs, 2),
      rowsPerS: Math.round(count / (measured.wallMs / 1000)),
      baselineRssMb: baseline && round(baseline.peakRssMb, 0),
      rssMb: round(measured.peakRssMb, 0),
    });
  }
  bench.printTable(rows, [
    ['rows', 'rows'],
    ['fileMb', 'file MB'],
    ['rejected', 'rejected'],
    ['baselineS', 'csv-parse s'],
    ['validateS', 'validate s'],
    ['speed', `speed × csv-parse (≥${LOCAL_TARGETS.validateSpeed})`],
    ['rowsPerS', 'validate rows/s'],
    ['baselineRssMb', 'csv-parse RSS MB'],
    ['rssMb', 'validate RSS MB'],
  ]);
  const first = rows[0];
  const timedLargest = rows[plan.validateRows.length - 1];
  const largest = rows.at(-1);
  const growth = round((largest.rssMb / first.rssMb - 1) * 100, 0);
  console.log('');
  return {
    rows,
    rssGrowthPercent: growth,
    targets: [
      {
        what: `validate of ${timedLargest.rows.toLocaleString('en-US')} rows, speed × bare csv-parse`,
        figure: `${timedLargest.speed}× (${timedLargest.validateS} s vs ${timedLargest.baselineS} s)`,
        target: `≥ ${LOCAL_TARGETS.validateSpeed} (stretch ${LOCAL_TARGETS.validateStretch})`,
        met: timedLargest.speed >= LOCAL_TARGETS.validateSpeed,
      },
      {
        what: `validate peak RSS, ${timedLargest.rows.toLocaleString('en-US')} rows`,
        figure: `${timedLargest.rssMb} MB`,
        target: `< ${LOCAL_TARGETS.rssLimitMb} MB`,
        met: timedLargest.rssMb < LOCAL_TARGETS.rssLimitMb,
      },
      {
        what: `validate peak RSS, ${first.rows.toLocaleString('en-US')} → ${largest.rows.toLocaleString('en-US')} rows`,
        figure: `${first.rssMb} → ${largest.rssMb} MB (${growth >= 0 ? '+' : ''}${growth}%)`,
        target: `within ${LOCAL_TARGETS.rssGrowthPercent}%`,
        met: Math.abs(growth) <= LOCAL_TARGETS.rssGrowthPercent,
      },
    ],
  };
}

/**
 * The nightly re-run: a first sync puts every row of the file into the OMS and the checkpoint, then the same file is
 * synced again, each time from a copy of that checkpoint, interleaved with bare csv-parse on the same file.
 */
export async function benchNightlyRerun(bench, plan) {
  const { scratch, round } = bench;
  console.log(
    `2. nightly re-run of an unchanged ${plan.rerunRows.toLocaleString('en-US')}-row file vs bare csv-parse ` +
      `(median of ${plan.repeats} runs interleaved with csv-parse's)`,
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
    let attempt = 0;
    const { baseline, measured } = await interleaved(plan.repeats, {
      baseline: () => runBaseline(bench, file, undefined),
      measured: async () => {
        const checkpoint = path.join(scratch, `nightly-rerun-${attempt}`, 'checkpoint.sqlite');
        fs.mkdirSync(path.dirname(checkpoint), { recursive: true, mode: 0o700 });
        fs.copyFileSync(first, checkpoint);
        const before = sandbox.stats();
        const run = await syncOnce(bench, sandbox, file, checkpoint, `nightly-rerun-${attempt++}`, []);
        const after = sandbox.stats();
        if (!run.report) throw new Error(`the re-run failed: ${run.stderr.slice(-500)}`);
        fs.rmSync(path.dirname(checkpoint), { recursive: true, force: true });
        return { ...run, requests: after.graphql - before.graphql, mutations: after.mutations - before.mutations };
      },
    });
    const row = {
      rows: plan.rerunRows,
      unchanged: measured.report.totals.unchanged,
      requests: measured.requests,
      mutations: measured.mutations,
      baselineS: round(baseline.wallMs / 1000, 2),
      rerunS: round(measured.wallMs / 1000, 2),
      speed: round(baseline.wallMs / measured.wallMs, 2),
      rssMb: round(measured.peakRssMb, 0),
    };
    bench.printTable(
      [row],
      [
        ['rows', 'rows'],
        ['unchanged', 'unchanged'],
        ['requests', 'requests'],
        ['mutations', 'mutations (0)'],
        ['baselineS', 'csv-parse s'],
        ['rerunS', 're-run s'],
        ['speed', `speed × csv-parse (≥${LOCAL_TARGETS.rerunSpeed})`],
        ['rssMb', 'RSS MB'],
      ],
    );
    console.log('');
    const perHundred = round((row.requests / row.rows) * 100, 3);
    return {
      ...row,
      targets: [
        {
          what: `re-run of an unchanged ${row.rows.toLocaleString('en-US')}-row file, speed × bare csv-parse`,
          figure: `${row.speed}× (${row.rerunS} s vs ${row.baselineS} s)`,
          target: `≥ ${LOCAL_TARGETS.rerunSpeed}`,
          met: row.speed >= LOCAL_TARGETS.rerunSpeed,
        },
        {
          what: 'that re-run: mutations, requests per 100 rows',
          figure: `${row.mutations} mutations, ${row.requests} requests (${perHundred} per 100 rows)`,
          target: '0, < 1',
          met: row.mutations === 0 && perHundred < 1,
        },
      ],
    };
  } finally {
    await sandbox.close();
    fs.rmSync(file, { force: true });
  }
}

/**
 * Runs `baseline` and `measured` alternately, `times` each, and takes each one's median wall time; the peak RSS of
 * each is the highest of its runs. The median run's own output (its report) comes with it.
 */
async function interleaved(times, { baseline, measured }) {
  const runs = { baseline: [], measured: [] };
  for (let i = 0; i < times; i++) {
    if (baseline) runs.baseline.push(await baseline());
    runs.measured.push(await measured());
  }
  return { baseline: baseline && median(runs.baseline), measured: median(runs.measured) };
}

function median(runs) {
  const sorted = [...runs].sort((a, b) => a.wallMs - b.wallMs);
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  return { ...middle, peakRssMb: Math.max(...runs.map((run) => run.peakRssMb ?? 0)) };
}

async function runBaseline(bench, file, count) {
  const run = await runMeasured(process.execPath, [BASELINE, file], bench.childOptions());
  if (count !== undefined && Number(run.stdout.trim()) !== count) {
    throw new Error(`csv-parse counted ${run.stdout.trim()} records, not ${count}`);
  }
  return run;
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
