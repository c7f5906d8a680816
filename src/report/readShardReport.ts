import { SHARD_RULE } from '../check/shardOfRow.js';
import { UsageError } from '../errors.js';
import type { Shard } from '../options/index.js';
import { checkTrustedPath } from '../shared/checkTrustedPath.js';
import { emptyTotals } from './countOutcomes.js';
import { openReportFile, type ReportFile, type ReportFileLimits } from './readReportFile.js';
import type { ReportSummary } from './reportTypes.js';

/** One shard's report folder, read enough to check it belongs with the others. */
export interface ShardReport {
  dir: string;
  /** The folder's real path, every link on the way resolved: what "the same folder" is compared by. */
  real: string;
  shard: Shard;
  summary: ReportSummary;
  outcomes: ReportFile;
  rejects: ReportFile;
  diff: ReportFile | undefined;
  review: ReportFile | undefined;
  missing: ReportFile | undefined;
}

const MODES: readonly string[] = ['apply', 'dry-run', 'validate'];
/** A cell the report neutralised against formula injection: the `'` comes off, writeReport puts it back. */
const NEUTRALISED = /^'[=+\-@\t\r]/;

/**
 * Opens the report folder of one shard (`report --merge`): its report.json parsed and checked to be a shard run's,
 * the files it has opened for reading a record at a time (within `limits`). A report written before report.json had
 * `shard` gives its shard by `options.shard`; its rows were assigned by the same rule.
 *
 * @throws UsageError when the folder is no report, not a shard's, or assigned its rows by a rule this release lacks
 */
export function readShardReport(dir: string, limits: ReportFileLimits): ShardReport {
  // Read only: another user's folder may be read, but no link of theirs is followed to get there.
  const { real, entry } = checkTrustedPath(dir, { subject: `the shard report ${dir}`, followLast: true, read: true });
  if (entry && !entry.isDirectory())
    throw new UsageError(`${dir} is not a folder: pass the report folder of each shard`);
  const json = openReportFile(dir, 'report.json', limits);
  if (!json) {
    throw new UsageError(`${dir} holds no report.json: pass the report folder (--report-dir) of each shard`);
  }
  const text = json.text();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${dir}/report.json is not valid JSON: ${(error as Error).message}`);
  }
  const summary = parsed as ReportSummary;
  const { options, input, totals } = summary ?? {};
  if (
    typeof summary?.runId !== 'string' ||
    !MODES.includes(summary.mode) ||
    typeof input?.sha256 !== 'string' ||
    typeof totals?.read !== 'number' ||
    typeof options !== 'object' ||
    options === null
  ) {
    throw new UsageError(`${dir}/report.json is not a customer-sync report`);
  }
  const shard = readShard(dir, summary);
  const outcomes = openReportFile(dir, 'outcomes.csv', limits);
  const rejects = openReportFile(dir, 'rejects.csv', limits);
  if (!outcomes || !rejects) throw new UsageError(`${dir} lacks outcomes.csv or rejects.csv: it is not a whole report`);
  return {
    dir,
    real,
    shard,
    summary: { ...summary, totals: { ...emptyTotals(), ...totals } },
    outcomes,
    rejects,
    diff: openReportFile(dir, 'diff.csv', limits),
    review: openReportFile(dir, 'review.csv', limits),
    missing: openReportFile(dir, 'missing.csv', limits),
  };
}

/** The shard a report is of: report.json `shard` (its rule checked), else (an earlier release) `options.shard`. */
function readShard(dir: string, summary: ReportSummary): Shard {
  const recorded: unknown = summary.shard;
  if (recorded === undefined) {
    const shard = parseShard(summary.options.shard);
    if (!shard) throw new UsageError(`${dir} is not the report of a shard: its run had no --shard K/N`);
    return shard;
  }
  const { index, count, rule } = (recorded ?? {}) as Partial<Record<string, unknown>>;
  if (typeof index !== 'number' || typeof count !== 'number' || !(index >= 1 && index <= count)) {
    throw new UsageError(`${dir}/report.json is not a customer-sync report: its shard is not K/N`);
  }
  if (rule !== SHARD_RULE) {
    throw new UsageError(
      `${dir} assigned rows to shards by the rule ${JSON.stringify(rule)}, which this release does not know (it uses ${SHARD_RULE}): merge with the release that ran the shards`,
    );
  }
  return { index, count };
}

function parseShard(value: unknown): Shard | undefined {
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value) : null;
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  return match && index >= 1 && index <= count ? { index, count } : undefined;
}

/** `K/N`, as `--shard` takes it. */
export function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

/** A cell of a shard's CSV file as the run had it: the `'` that neutralised a formula-like cell taken off. */
export function restoreCell(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}

/** Whether two records hold the same cells (a header and the one expected). */
export function sameCells(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((cell, i) => cell === b[i]);
}
