import crypto from 'node:crypto';
import path from 'node:path';
import { applyPlan } from './apply/applyPlan.js';
import { checkCredentials, connectOms, type OmsConnection } from './apply/connectOms.js';
import { resolveDuplicates } from './check/resolveDuplicates.js';
import { stageRows } from './check/stageRows.js';
import type { CheckpointScope } from './checkpoint/openCheckpoint.js';
import { openRunStore } from './checkpoint/openRunStore.js';
import type { Scrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import type { Credentials } from './fluent/credentials.js';
import type { Logger } from './log.js';
import { describeFsError, describeOptions, type ResolvedOptions } from './options.js';
import { ensurePrivateDir } from './privateFs.js';
import { createProgress } from './progress.js';
import { openInput } from './read/openInput.js';
import { formatSummary } from './report/formatSummary.js';
import { redactContent } from './report/redactContent.js';
import { summariseRun } from './report/summariseRun.js';
import { type ReportContent, type ReportSummary, writeReport } from './report/writeReport.js';
import { loadSeed } from './sandbox/loadSeed.js';
import type { RunMode } from './types.js';

export interface RunDependencies {
  log: Logger;
  /** Where the end-of-run summary goes (stdout). */
  out: NodeJS.WritableStream;
  /** Where the progress line goes (stderr); a TTY gets a live line, anything else periodic log lines. */
  progressStream: NodeJS.WritableStream & { isTTY?: boolean };
  credentials: Credentials | undefined;
  accountId: string | undefined;
  /** FLUENT_REDACT_KEY: keys --redact's masks so they stay the same across runs; otherwise a random key per run. */
  redactKey?: string | undefined;
  /** Masks credentials and granted tokens in every output; the client adds tokens as they are granted. */
  scrubber: Scrubber;
  /** Aborted by SIGINT/SIGTERM: in-flight requests finish, the partial report is written, exit 3. */
  signal: AbortSignal;
  now?: () => Date;
}

export interface RunResult {
  exitCode: 0 | 1;
  reportDir: string;
  summary: ReportSummary;
}

/** How often the checkpoint lock's heartbeat is refreshed, so holders on other hosts can tell it is alive. */
const HEARTBEAT_MS = 15_000;

/**
 * The whole job, top to bottom (SPEC §2-§4): read → normalise → check → plan → apply → report.
 * `validate` stops after the checks and needs no network; `--dry-run` plans with lookups but sends no mutation.
 * File and usage problems throw UsageError before any request; a stop mid-run writes the partial report and
 * throws AbortError (exit 3); otherwise the exit code is 1 when some rows need attention.
 */
export async function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  const { log } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = createRunId(startedAt);
  const mode: RunMode = options.command === 'validate' ? 'validate' : options.dryRun ? 'dry-run' : 'apply';
  const reportDir = options.reportDir ?? path.join('reports', runId);
  const scope: CheckpointScope = {
    // An in-process sandbox is new every run: its own scope keeps earlier runs' hashes from making rows unchanged.
    apiHost: options.sandbox ? `sandbox:${runId}` : (options.apiHost ?? ''),
    retailerId: options.retailerId ?? '',
  };

  checkCredentials(options, deps.credentials);
  const seed = options.sandbox && options.sandboxSeed ? loadSeed(options.sandboxSeed) : undefined;
  const { source, layout, context } = await openInput(options, deps.signal);
  if (source.delimiter !== ',') log.info(`reading ${options.file} as ${describeDelimiter(source.delimiter)}-delimited`);
  if (layout.unmapped.length > 0) log.info(`ignoring unmapped columns: ${layout.unmapped.join(', ')}`);
  preparePrivateDir(reportDir, 'report folder');
  const phoneColumn = layout.columnOfField.primaryPhone;
  const phoneColumns = phoneColumn === undefined ? [] : [phoneColumn];

  const store = openRunStore(options.checkpoint, mode);
  const { checkpoint } = store;
  let oms: OmsConnection | undefined;
  const heartbeat = setInterval(() => checkpoint.heartbeat(runId), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    const { takenOverFrom } = checkpoint.acquireLock(runId);
    if (takenOverFrom) log.warn(`took over the checkpoint lock of run ${takenOverFrom.runId} (its process is gone)`);
    checkpoint.startRun({
      runId,
      mode,
      apiHost: mode === 'validate' ? null : scope.apiHost,
      retailerId: options.retailerId ?? null,
      inputPath: options.file,
      context: { header: source.header, phoneColumns, unmappedColumns: layout.unmapped, delimiter: source.delimiter },
    });
    const progress = createProgress({ stream: deps.progressStream, log, quiet: options.quiet, now });

    // read → normalise → stage: the whole file lands in the checkpoint before any request is sent.
    progress.phase('reading');
    const read = await stageRows({
      rows: source.rows,
      context,
      shard: options.shard,
      store: checkpoint,
      runId,
      signal: deps.signal,
      onRow: progress.tick,
    }).catch((error: unknown) => {
      if (error instanceof UsageError) checkpoint.discardRun(runId);
      throw error;
    });
    if (read === 0 && !options.allowEmpty && !deps.signal.aborted) {
      checkpoint.discardRun(runId);
      throw new UsageError(`${options.file} has a header and no rows; pass --allow-empty if that is expected`);
    }

    // check: in-file duplicates.
    resolveDuplicates(checkpoint, runId, options.onDuplicate);

    // plan → apply (validate: every row still open passed every check).
    let abortReason = deps.signal.aborted ? `stopped by ${String(deps.signal.reason)}` : undefined;
    const applyStarted = now().getTime();
    if (mode === 'validate') {
      checkpoint.closeOpenRows(runId, '', 'valid');
    } else if (abortReason === undefined) {
      oms = await connectOms(options, { credentials: deps.credentials, accountId: deps.accountId, seed, log });
      progress.phase(mode === 'dry-run' ? 'planning' : 'applying', checkpoint.countOpenRows(runId));
      const settled = [...checkpoint.outcomeCounts(runId).values()].reduce((a, b) => a + b, 0);
      ({ abortReason } = await applyPlan({
        store: checkpoint,
        runId,
        scope,
        client: oms.client,
        dryRun: mode === 'dry-run',
        fullCompare: options.fullCompare,
        concurrency: options.concurrency,
        maxErrorRate: options.maxErrorRate,
        settledRows: settled,
        log,
        signal: deps.signal,
        onRowDone: progress.tick,
      }));
    }
    const applyMs = now().getTime() - applyStarted;
    if (abortReason !== undefined) {
      checkpoint.closeOpenRows(runId, `not processed: the run stopped (${abortReason})`, 'skipped');
    }
    progress.done();

    // report.
    const summary = summariseRun({
      runId,
      mode,
      startedAt,
      finishedAt: now(),
      input: { path: options.file, ...source.digest() },
      options: describeOptions(options),
      read,
      outcomeCounts: checkpoint.outcomeCounts(runId),
      client: oms?.client.stats(),
      applyMs,
      abortReason,
      unmappedColumns: layout.unmapped,
      delimiter: source.delimiter,
    });
    const content: ReportContent = {
      summary,
      header: source.header,
      phoneColumns: new Set(phoneColumns),
      outcomes: () => checkpoint.outcomes(runId),
      rejects: () => checkpoint.rejects(runId),
      diffs: () => checkpoint.diffs(runId),
      throughput: progress.points(),
    };
    writeReport(reportDir, options.redact ? redactContent(content) : content);
    checkpoint.finishRun(runId, summary.status, summary);
    checkpoint.pruneRuns(options.keepRuns);
    deps.out.write(`${log.scrub(formatSummary(summary, reportDir))}\n`);

    if (abortReason !== undefined) {
      throw new AbortError(`${abortReason}; the partial report is in ${reportDir}, and the next run resumes`);
    }
    const { rejected, conflict, failed } = summary.totals;
    return { exitCode: rejected + conflict + failed > 0 ? 1 : 0, reportDir, summary };
  } finally {
    clearInterval(heartbeat);
    await oms?.close();
    store.close(runId);
  }
}

/** Creates an output folder up front, so a path that cannot be written is exit 2 before any request. */
function preparePrivateDir(dir: string, what: string): void {
  try {
    ensurePrivateDir(dir);
  } catch (error) {
    throw new UsageError(`cannot create the ${what} ${dir}: ${describeFsError(error)}`);
  }
}

/** Sortable, and unique enough for one checkpoint: 20261125T201955Z-3f9a. */
function createRunId(at: Date): string {
  const stamp = at
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z');
  return `${stamp}-${crypto.randomBytes(2).toString('hex')}`;
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}
