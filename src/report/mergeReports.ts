import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Shard } from '../options/index.js';
import { exitCodeOf } from '../run/exitCodeOf.js';
import { checkTrustedPath } from '../shared/checkTrustedPath.js';
import type { Scrubber } from '../shared/createScrubber.js';
import type {
  CustomerField,
  DiffLine,
  MissingCustomer,
  NormalisationRule,
  OutcomeKind,
  RejectedValueCount,
  ReviewLine,
  RowOutcome,
  RunTotals,
} from '../types.js';
import { NORMALISATION_RULES, OUTCOME_KINDS } from '../types.js';
import { emptyTotals } from './countOutcomes.js';
import { prepareReportDir } from './prepareReportDir.js';
import { openReportFile, REPORT_FILE_LIMITS, type ReportFile, type ReportFileLimits } from './readReportFile.js';
import type { RejectLine, ReportContent, ReportSummary } from './reportTypes.js';
import { withoutRowIdentity } from './rowIdentity.js';
import { sumOutcomeDetails } from './sumOutcomeDetails.js';
import { DIFF_HEADER, OUTCOMES_HEADER, REVIEW_HEADER, writeReport } from './writeReport.js';

/** What `report --merge` made: the merged report's summary, where it is, and the exit code a whole run would have. */
export interface MergedReport {
  summary: ReportSummary;
  reportDir: string;
  /** 3 when a shard's run was aborted (the report is partial), 1 when rows need attention, else 0. */
  exitCode: 0 | 1 | 3;
}

/** One shard's report folder, read enough to check it belongs with the others. */
interface ShardReport {
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

/** The columns of an earlier release's outcomes.csv and diff.csv, before `customerId` and `input`: still merged. */
const OUTCOMES_HEADER_BEFORE_IDS = OUTCOMES_HEADER.slice(0, -1);
const DIFF_HEADER_BEFORE_INPUT = DIFF_HEADER.slice(0, -1);
/** The rejected values the merged page lists, and how many distinct ones it counts at most to find them. */
const REJECTED_VALUES_SHOWN = 20;
const REJECTED_VALUES_COUNTED = 50_000;
/** A reason part about one value: the field, then the value quoted (`country "Deutschland" is not …`). */
const VALUE_REASON = /^([A-Za-z][\w.]*) "([^"]*)"/;
const MISSING_HEADER = ['username', 'id', 'primaryEmail'];
/** The reason stageRows gives a row of another shard. */
const OTHER_SHARD = /^belongs to shard (\d+)\/(\d+)$/;
/** A cell the report neutralised against formula injection: the `'` comes off, writeReport puts it back. */
const NEUTRALISED = /^'[=+\-@\t\r]/;
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * Combines the reports of the N shards of one file (`report --merge DIR... --report-dir OUT`, SPEC §2) into one
 * report that reconciles with the whole file, written like any report (writeReport: fresh private files, scrubbed,
 * report.json last):
 * - outcomes.csv has one line per input row, each row's outcome taken from the shard that owns it (every other shard
 *   has it `skipped`, "belongs to shard K/N"); the totals are counted from those lines, so read = the file's rows;
 * - rejects.csv is the shards' rejected, conflicting and failed rows in row order; diff.csv and missing.csv are the
 *   shards' in shard order (a diff line has no row; each missing customer is listed by the shard its username falls in);
 * - requests are summed (the shards ran side by side), the run spans the first start to the last finish.
 * Every file is read a record at a time, within the input's record limits (`deps.limits`, REPORT_FILE_LIMITS by
 * default): a merge of millions of rows stays flat in memory, and a file that is no report is refused, never held.
 * The merged report is never written into a shard it reads: folders are compared by their real paths (and by the
 * folder itself, for a bind mount), so a link to a shard's folder is that shard's folder.
 *
 * @throws UsageError (exit 2) before writing anything when the folders are not the reports of every shard of one file:
 *   a shard missing or given twice, another input (sha256), another mode, rows that disagree; or when --report-dir is
 *   (or is inside) one of them
 */
export function mergeReports(
  dirs: readonly string[],
  outDir: string,
  deps: { scrubber: Scrubber; limits?: ReportFileLimits },
): MergedReport {
  const limits = deps.limits ?? REPORT_FILE_LIMITS;
  const shards = checkShards(dirs.map((dir) => readShardReport(dir, limits)));
  refuseWritingIntoShard(shards, outDir);
  const { totals, rejectedValues } = countMerged(shards);
  const summary = summariseShards(shards, totals);
  const header = readRejectsHeader(shards);
  const everyMissing = shards.every((s) => s.summary.missing !== undefined && s.missing !== undefined);
  const everyReview = shards.every((s) => s.review !== undefined);

  const content: ReportContent = {
    summary,
    header,
    phoneColumns: findPhoneColumns(shards, header.length),
    outcomes: () => zipOutcomes(shards),
    rejects: () => mergeRejects(shards),
    diffs: () => concatDiffs(shards),
    review: everyReview ? () => mergeReview(shards) : undefined,
    rejectedValues: () => rejectedValues,
    missing: everyMissing ? () => concatMissing(shards) : undefined,
    throughput: [],
  };
  prepareReportDir(outDir);
  writeReport(outDir, content, { scrubber: deps.scrubber });
  return { summary, reportDir: outDir, exitCode: exitCodeOf(summary) };
}

/**
 * The merged report goes neither into a shard's folder nor inside one: compared by real path, and by device and inode
 * where --report-dir exists already (two paths to one folder through a bind mount).
 */
function refuseWritingIntoShard(shards: readonly ShardReport[], outDir: string): void {
  const out = checkTrustedPath(outDir, { subject: `the report folder ${outDir}`, followLast: true });
  for (const shard of shards) {
    const folder = fs.statSync(shard.real);
    const same =
      out.real === shard.real ||
      (out.entry?.isDirectory() === true && out.entry.dev === folder.dev && out.entry.ino === folder.ino);
    if (same) {
      throw new UsageError(
        `--report-dir ${outDir} is the report of shard ${describeShard(shard.shard)}; write the merged report elsewhere`,
      );
    }
    if (out.real.startsWith(`${shard.real}${path.sep}`)) {
      throw new UsageError(
        `--report-dir ${outDir} is inside the report of shard ${describeShard(shard.shard)} (${shard.dir}); write the merged report elsewhere`,
      );
    }
  }
}

function readShardReport(dir: string, limits: ReportFileLimits): ShardReport {
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
  const modes: readonly string[] = ['apply', 'dry-run', 'validate'];
  if (
    typeof summary?.runId !== 'string' ||
    !modes.includes(summary.mode) ||
    typeof input?.sha256 !== 'string' ||
    typeof totals?.read !== 'number' ||
    typeof options !== 'object' ||
    options === null
  ) {
    throw new UsageError(`${dir}/report.json is not a customer-sync report`);
  }
  const shard = parseShard(options.shard);
  if (!shard) throw new UsageError(`${dir} is not the report of a shard: its run had no --shard K/N`);
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

/** Every shard of one file, once each, of one kind of run: in shard order. */
function checkShards(shards: ShardReport[]): ShardReport[] {
  const [first] = shards;
  if (!first) throw new UsageError('name the report folders of the shards to merge: --merge DIR...');
  const { count } = first.shard;
  const byIndex = new Map<number, ShardReport>();
  for (const report of shards) {
    if (report.shard.count !== count) {
      throw new UsageError(
        `${report.dir} is shard ${describeShard(report.shard)} but ${first.dir} is shard ${describeShard(first.shard)}: merge the shards of one split`,
      );
    }
    const twin = byIndex.get(report.shard.index);
    if (twin) throw new UsageError(`${twin.dir} and ${report.dir} are both shard ${describeShard(report.shard)}`);
    byIndex.set(report.shard.index, report);
  }
  for (let index = 1; index <= count; index++) {
    if (!byIndex.has(index)) {
      throw new UsageError(`shard ${index}/${count} is missing: pass the report folders of all ${count} shards`);
    }
  }
  const common = mostCommon(shards.map((s) => s.summary.input.sha256));
  for (const report of shards) {
    if (report.summary.input.sha256 !== common) {
      throw new UsageError(
        `${report.dir} (shard ${describeShard(report.shard)}) is a report of another file: input sha256 ${report.summary.input.sha256.slice(0, 12)}…, the other shards ${common.slice(0, 12)}…`,
      );
    }
    if (report.summary.mode !== first.summary.mode) {
      throw new UsageError(
        `${report.dir} is a ${report.summary.mode} report but ${first.dir} a ${first.summary.mode} one`,
      );
    }
    if (report.summary.totals.read !== first.summary.totals.read) {
      throw new UsageError(
        `${report.dir} read ${report.summary.totals.read} rows but ${first.dir} ${first.summary.totals.read}: a shard that stopped while reading must run again`,
      );
    }
  }
  return [...byIndex.entries()].sort(([a], [b]) => a - b).map(([, report]) => report);
}

/**
 * One pass over the rows before anything is written: the merged totals (report.json comes last, but writeReport
 * checks the totals first), every shard's lines checked against its own report.json, and the values that rejected
 * most rows. A shard's report keeps no list of those, so they are read from the reasons, which quote them
 * (`country "Deutschland" is not …`); at most REJECTED_VALUES_COUNTED distinct values are counted.
 */
function countMerged(shards: readonly ShardReport[]): { totals: RunTotals; rejectedValues: RejectedValueCount[] } {
  const totals = emptyTotals();
  const ownLines = shards.map(() => emptyTotals());
  const values = new Map<string, RejectedValueCount>();
  for (const outcome of zipOutcomes(shards, ownLines)) {
    totals[outcome.outcome] += 1;
    totals.read += 1;
    if (outcome.outcome === 'rejected') countRejectedValues(outcome, values);
  }
  shards.forEach((report, i) => {
    const counted = ownLines[i] as RunTotals;
    const mismatch = (['read', ...OUTCOME_KINDS] as const).find((k) => counted[k] !== report.summary.totals[k]);
    if (mismatch !== undefined) {
      throw new UsageError(
        `${report.dir}: report.json counts ${report.summary.totals[mismatch]} ${mismatch} but outcomes.csv has ${counted[mismatch]}; the folder was changed after its run`,
      );
    }
  });
  const rejectedValues = [...values.values()]
    .sort((a, b) => b.rows - a.rows || a.example - b.example)
    .slice(0, REJECTED_VALUES_SHOWN);
  return { totals, rejectedValues };
}

/** Counts the values a rejected row's reason quotes, once each per row. */
function countRejectedValues(outcome: RowOutcome, values: Map<string, RejectedValueCount>): void {
  const seen = new Set<string>();
  for (const part of withoutRowIdentity(outcome.reason).split('; ')) {
    const match = VALUE_REASON.exec(part);
    if (!match) continue;
    const [, field = '', value = ''] = match;
    const key = `${field}\u0000${value}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const counted = values.get(key);
    if (counted) counted.rows += 1;
    else if (values.size < REJECTED_VALUES_COUNTED) values.set(key, { field, value, rows: 1, example: outcome.row });
  }
}

/**
 * The merged outcomes, in row order: the shards' outcomes.csv read side by side (each holds every row of the file),
 * each row taken from the one shard that owns it. `perShard`, when given, counts every shard's own lines.
 */
function* zipOutcomes(shards: readonly ShardReport[], perShard?: RunTotals[]): Generator<RowOutcome> {
  const readers = shards.map((s) => s.outcomes.records());
  try {
    shards.forEach((report, i) => {
      const header = readers[i]?.next();
      const cells = header?.done ? undefined : header?.value;
      if (!sameCells(cells, OUTCOMES_HEADER) && !sameCells(cells, OUTCOMES_HEADER_BEFORE_IDS)) {
        throw new UsageError(`${report.dir}/outcomes.csv does not start with the header ${OUTCOMES_HEADER.join(',')}`);
      }
    });
    for (let expected = 1; ; expected++) {
      const lines = readers.map((reader, i) => {
        const next = reader.next();
        return next.done ? undefined : toOutcome(next.value, shards[i] as ShardReport, expected);
      });
      const ended = lines.filter((line) => line === undefined).length;
      if (ended === lines.length) return;
      if (ended > 0) {
        const short = shards[lines.indexOf(undefined)] as ShardReport;
        throw new UsageError(`${short.dir}/outcomes.csv ends before row ${expected}, where the other shards go on`);
      }
      lines.forEach((line, i) => {
        const counts = perShard?.[i];
        if (counts && line) {
          counts[line.outcome] += 1;
          counts.read += 1;
        }
      });
      yield pickOwner(lines as RowOutcome[], shards, expected);
    }
  } finally {
    for (const reader of readers) reader.return();
  }
}

function toOutcome(cells: string[], report: ShardReport, expected: number): RowOutcome {
  const [row, line, username, outcome, reason, changedFields, customerId] = cells.map(restoreCell);
  if (Number(row) !== expected || !OUTCOME_KINDS.includes(outcome as OutcomeKind)) {
    throw new UsageError(`${report.dir}/outcomes.csv: the line for row ${expected} is not one of this tool's`);
  }
  return {
    row: expected,
    line: Number(line),
    username: username ?? '',
    outcome: outcome as OutcomeKind,
    reason: reason ?? '',
    changedFields: changedFields ? (changedFields.split(';') as CustomerField[]) : [],
    customerId: customerId ?? '',
  };
}

/** The one line of a row that is not "belongs to shard K/N", checked against what the other shards say. */
function pickOwner(lines: readonly RowOutcome[], shards: readonly ShardReport[], row: number): RowOutcome {
  const owners = lines.flatMap((line, i) => (isOtherShards(line) ? [] : [i]));
  const [owner] = owners;
  const named = lines.map((line) => OTHER_SHARD.exec(line.reason)?.[1]);
  const ownerIndex = owner === undefined ? undefined : shards[owner]?.shard.index;
  if (
    owners.length !== 1 ||
    owner === undefined ||
    named.some((index, i) => i !== owner && Number(index) !== ownerIndex)
  ) {
    throw new UsageError(
      `row ${row}: the shards disagree about which of them holds it; were they run on the same file with the same options?`,
    );
  }
  const chosen = lines[owner] as RowOutcome;
  if (lines.some((line) => line.line !== chosen.line)) {
    throw new UsageError(`row ${row} starts on different lines in the shards' reports: they read different files`);
  }
  return chosen;
}

function isOtherShards(line: RowOutcome): boolean {
  return line.outcome === 'skipped' && OTHER_SHARD.test(line.reason);
}

/** The columns of rejects.csv (the input's, then `_row` and `_reason`), the same in every shard. */
function readRejectsHeader(shards: readonly ShardReport[]): string[] {
  let header: string[] | undefined;
  for (const report of shards) {
    const reader = report.rejects.records();
    const first = reader.next();
    reader.return();
    const cells = first.done ? undefined : first.value.map(restoreCell);
    if (!cells?.includes('_row') || !cells.includes('_reason')) {
      throw new UsageError(`${report.dir}/rejects.csv does not have the _row and _reason columns of a report`);
    }
    if (header && !sameCells(header, cells)) {
      throw new UsageError(
        `${report.dir}/rejects.csv has other columns than the other shards': they read different files`,
      );
    }
    header = cells;
  }
  return header ?? [];
}

/**
 * Input columns holding E.164 phones: a report leaves only those un-neutralised (`+614…`), so a raw cell that starts
 * like a formula marks its column. Known before writing, so writeReport exempts the same columns again.
 */
function findPhoneColumns(shards: readonly ShardReport[], columns: number): Set<number> {
  const phones = new Set<number>();
  for (const report of shards) {
    let header = true;
    for (const cells of report.rejects.records()) {
      if (header) {
        header = false;
        continue;
      }
      cells.forEach((cell, index) => {
        if (index < columns && FORMULA_START.test(cell)) phones.add(index);
      });
    }
  }
  return phones;
}

/** The shards' rejects.csv lines merged by row (each shard's are in row order already, and no row is in two). */
function* mergeRejects(shards: readonly ShardReport[]): Generator<RejectLine> {
  const readers = shards.map((s) => s.rejects.records());
  try {
    const columns = readers.map((reader) => {
      const header = reader.next();
      const cells = header.done ? [] : header.value.map(restoreCell);
      return { row: cells.indexOf('_row'), reason: cells.indexOf('_reason') };
    });
    const next = (i: number): RejectLine | undefined => {
      const record = (readers[i] as Generator<string[]>).next();
      if (record.done) return undefined;
      const cells = record.value.map(restoreCell);
      const { row, reason } = columns[i] as { row: number; reason: number };
      return { row: Number(cells[row]), cells, reason: cells[reason] ?? '' };
    };
    const heads = readers.map((_, i) => next(i));
    for (;;) {
      let pick = -1;
      heads.forEach((head, i) => {
        if (head && (pick === -1 || head.row < (heads[pick] as RejectLine).row)) pick = i;
      });
      if (pick === -1) return;
      yield heads[pick] as RejectLine;
      heads[pick] = next(pick);
    }
  } finally {
    for (const reader of readers) reader.return();
  }
}

function* concatDiffs(shards: readonly ShardReport[]): Generator<DiffLine> {
  for (const report of shards) {
    if (!report.diff) continue;
    let header = true;
    for (const record of report.diff.records()) {
      const cells = record.map(restoreCell);
      if (header) {
        header = false;
        if (!sameCells(cells, DIFF_HEADER) && !sameCells(cells, DIFF_HEADER_BEFORE_INPUT)) {
          throw new UsageError(`${report.dir}/diff.csv is not a diff of a report`);
        }
        continue;
      }
      const [username = '', field = '', before = '', after = '', input = ''] = cells;
      const value = (text: string) =>
        text === ''
          ? null
          : field === 'promotionOptIn' && (text === 'true' || text === 'false')
            ? text === 'true'
            : text;
      yield { username, field: field as CustomerField, before: value(before), after: value(after), input };
    }
  }
}

/** The shards' review.csv lines merged by row, as rejects are (each shard's are in row order, no row in two). */
function* mergeReview(shards: readonly ShardReport[]): Generator<ReviewLine> {
  const readers = shards.map((s) => (s.review as ReportFile).records());
  try {
    readers.forEach((reader, i) => {
      const header = reader.next();
      if (header.done || !sameCells(header.value.map(restoreCell), REVIEW_HEADER)) {
        throw new UsageError(`${shards[i]?.dir}/review.csv is not a review list of a report`);
      }
    });
    const next = (i: number): ReviewLine | undefined => {
      const record = (readers[i] as Generator<string[]>).next();
      if (record.done) return undefined;
      const [row = '', username = '', field = '', input = '', written = '', rule = ''] = record.value.map(restoreCell);
      return {
        row: Number(row),
        username,
        field: field as ReviewLine['field'],
        input,
        written,
        rule: rule as ReviewLine['rule'],
      };
    };
    const heads = readers.map((_, i) => next(i));
    for (;;) {
      let pick = -1;
      heads.forEach((head, i) => {
        if (head && (pick === -1 || head.row < (heads[pick] as ReviewLine).row)) pick = i;
      });
      if (pick === -1) return;
      yield heads[pick] as ReviewLine;
      heads[pick] = next(pick);
    }
  } finally {
    for (const reader of readers) reader.return();
  }
}

function* concatMissing(shards: readonly ShardReport[]): Generator<MissingCustomer> {
  for (const report of shards) {
    let header = true;
    for (const record of report.missing?.records() ?? []) {
      const cells = record.map(restoreCell);
      if (header) {
        header = false;
        if (!sameCells(cells, MISSING_HEADER)) {
          throw new UsageError(`${report.dir}/missing.csv is not a missing list of a report`);
        }
        continue;
      }
      const [username = '', id = '', primaryEmail = ''] = cells;
      yield { username, id, primaryEmail: primaryEmail === '' ? null : primaryEmail };
    }
  }
}

/** The merged report.json: the shards' totals as merged, their requests summed, the span of their runs. */
function summariseShards(shards: readonly ShardReport[], totals: RunTotals): ReportSummary {
  const first = (shards[0] as ShardReport).summary;
  const startedAt = shards.map((s) => s.summary.startedAt).sort()[0] ?? first.startedAt;
  const finishedAt =
    shards
      .map((s) => s.summary.finishedAt)
      .sort()
      .at(-1) ?? first.finishedAt;
  const sum = (pick: (s: ReportSummary) => number | undefined) =>
    shards.reduce((total, s) => total + (pick(s.summary) ?? 0), 0);
  const aborted = shards.filter((s) => s.summary.status === 'aborted');
  const { shard: _shard, ...options } = first.options;
  const everyMissing = shards.every((s) => s.summary.missing !== undefined && s.missing !== undefined);
  return {
    runId: mergedRunId(startedAt, shards),
    mode: first.mode,
    startedAt,
    finishedAt,
    input: first.input,
    options,
    totals,
    requests: {
      graphql: sum((s) => s.requests?.graphql),
      retries: sum((s) => s.requests?.retries),
      rateLimited: sum((s) => s.requests?.rateLimited),
      effectiveRate: Math.round(sum((s) => s.requests?.effectiveRate) * 100) / 100,
    },
    durationMs: Math.max(0, Date.parse(finishedAt) - Date.parse(startedAt)),
    status: aborted.length > 0 ? 'aborted' : 'completed',
    ...(aborted.length > 0
      ? {
          abortReason: aborted
            .map((s) => `shard ${describeShard(s.shard)}: ${s.summary.abortReason ?? 'stopped early'}`)
            .join('; '),
        }
      : {}),
    ...(first.uniqueness ? { uniqueness: first.uniqueness } : {}),
    unmappedColumns: Array.isArray(first.unmappedColumns) ? first.unmappedColumns : [],
    delimiter: typeof first.delimiter === 'string' ? first.delimiter : ',',
    ...(everyMissing ? { missing: sum((s) => s.missing) } : {}),
    ...sumNormalised(shards),
    ...sumOutcomeDetails(shards.map((s) => s.summary)),
    mergedFrom: shards.map((s) => ({
      shard: describeShard(s.shard),
      runId: s.summary.runId,
      status: s.summary.status,
      reportDir: s.dir,
    })),
  };
}

/** The shards' normalisation counts added up, when every shard has them (a report of an earlier release has none). */
function sumNormalised(shards: readonly ShardReport[]): Pick<ReportSummary, 'normalised'> {
  if (!shards.every((s) => typeof s.summary.normalised === 'object' && s.summary.normalised !== null)) return {};
  const normalised: Partial<Record<NormalisationRule, number>> = {};
  for (const rule of NORMALISATION_RULES) {
    normalised[rule] = shards.reduce((total, s) => {
      const count = s.summary.normalised?.[rule];
      return total + (typeof count === 'number' ? count : 0);
    }, 0);
  }
  return { normalised };
}

/**
 * The merged report's id, in the form of a run's (the first shard's start, then four hex digits), made from the shards'
 * run ids: merging the same reports twice gives the same report, byte for byte, so two merges racing into one folder
 * (the last pods of a Job finishing together) cannot leave a mix of two reports.
 */
function mergedRunId(startedAt: string, shards: readonly ShardReport[]): string {
  const stamp = startedAt.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  const digest = crypto.createHash('sha256');
  for (const report of shards) digest.update(`${report.summary.runId}\n`);
  return `${stamp}-${digest.digest('hex').slice(0, 4)}`;
}

function parseShard(value: unknown): Shard | undefined {
  const match = typeof value === 'string' ? /^(\d+)\/(\d+)$/.exec(value) : null;
  const index = Number(match?.[1]);
  const count = Number(match?.[2]);
  return match && index >= 1 && index <= count ? { index, count } : undefined;
}

function describeShard(shard: Shard): string {
  return `${shard.index}/${shard.count}`;
}

function restoreCell(cell: string): string {
  return NEUTRALISED.test(cell) ? cell.slice(1) : cell;
}

function sameCells(a: readonly string[] | undefined, b: readonly string[]): boolean {
  return a !== undefined && a.length === b.length && a.every((cell, i) => cell === b[i]);
}

function mostCommon(values: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  let best = values[0] ?? '';
  for (const [value, n] of counts) if (n > (counts.get(best) ?? 0)) best = value;
  return best;
}
