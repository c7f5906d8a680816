import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { exitCodeOf } from '../run/exitCodeOf.js';
import { checkTrustedPath } from '../shared/checkTrustedPath.js';
import type { Scrubber } from '../shared/createScrubber.js';
import type { CustomerField, DiffLine, MissingCustomer, ReviewLine } from '../types.js';
import { checkShards } from './checkShards.js';
import { concatShardFiles } from './concatShardFiles.js';
import { countMerged } from './countMerged.js';
import { mergeByRow } from './mergeByRow.js';
import { mergeOutcomes } from './mergeOutcomes.js';
import { findPhoneColumns, mergeRejects, readRejectsHeader } from './mergeRejects.js';
import { prepareReportDir } from './prepareReportDir.js';
import { REPORT_FILE_LIMITS, type ReportFile, type ReportFileLimits } from './readReportFile.js';
import { describeShard, readShardReport, type ShardReport, sameCells } from './readShardReport.js';
import type { ReportContent, ReportSummary } from './reportTypes.js';
import { summariseShards } from './summariseShards.js';
import { DIFF_HEADER, MISSING_HEADER, REVIEW_HEADER, writeReport } from './writeReport.js';

/** What `report --merge` made: the merged report's summary, where it is, and the exit code a whole run would have. */
export interface MergedReport {
  summary: ReportSummary;
  reportDir: string;
  /** 3 when a shard's run was aborted (the report is partial), 1 when rows need attention, else 0. */
  exitCode: 0 | 1 | 3;
}

/** The columns of an earlier release's diff.csv, before `input`: still merged. */
const DIFF_HEADER_BEFORE_INPUT = DIFF_HEADER.slice(0, -1);

/**
 * Combines the reports of the N shards of one file (`report --merge DIR... --report-dir OUT`, SPEC §2) into one
 * report that reconciles with the whole file, written like any report (writeReport: fresh private files, scrubbed,
 * report.json last):
 * - outcomes.csv has one line per input row, each row's outcome taken from the shard that owns it, worked out from
 *   the row as the runs did (mergeOutcomes; every other shard has it `skipped`); the totals are counted from those
 *   lines, so read = the file's rows;
 * - rejects.csv and review.csv are the shards' lines in row order; diff.csv and missing.csv are the shards' in shard
 *   order (a diff line has no row; each missing customer is listed by the shard its username falls in);
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
    outcomes: () => mergeOutcomes(shards),
    rejects: () => mergeRejects(shards),
    diffs: () =>
      concatShardFiles(
        shards,
        (s) => s.diff,
        { name: 'diff.csv', what: 'a diff', headers: [DIFF_HEADER, DIFF_HEADER_BEFORE_INPUT] },
        toDiffLine,
      ),
    review: everyReview ? () => mergeByRow(shards, (s) => s.review as ReportFile, openReview) : undefined,
    rejectedValues: () => rejectedValues,
    missing: everyMissing
      ? () =>
          concatShardFiles(
            shards,
            (s) => s.missing,
            { name: 'missing.csv', what: 'a missing list', headers: [MISSING_HEADER] },
            toMissingCustomer,
          )
      : undefined,
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

/** A review.csv of a report, read by row: its header checked, each line as writeReport wrote it. */
function openReview(header: string[] | undefined, shard: ShardReport): (cells: string[]) => ReviewLine {
  if (!sameCells(header, REVIEW_HEADER)) {
    throw new UsageError(`${shard.dir}/review.csv is not a review list of a report`);
  }
  return ([row = '', username = '', field = '', input = '', written = '', rule = '']) => ({
    row: Number(row),
    username,
    field: field as ReviewLine['field'],
    input,
    written,
    rule: rule as ReviewLine['rule'],
  });
}

/** A diff.csv line: empty is null, `true`/`false` of promotionOptIn the booleans they were. */
function toDiffLine([username = '', field = '', before = '', after = '', input = '']: string[]): DiffLine {
  const value = (text: string) =>
    text === '' ? null : field === 'promotionOptIn' && (text === 'true' || text === 'false') ? text === 'true' : text;
  return { username, field: field as CustomerField, before: value(before), after: value(after), input };
}

function toMissingCustomer([username = '', id = '', primaryEmail = '']: string[]): MissingCustomer {
  return { username, id, primaryEmail: primaryEmail === '' ? null : primaryEmail };
}
