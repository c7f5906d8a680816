import crypto from 'node:crypto';
import path from 'node:path';
import { applyPlan } from './apply/applyPlan.js';
import { checkCredentials, connectOms, type OmsConnection } from './apply/connectOms.js';
import { verifyCreated } from './apply/verifyCreated.js';
import { resolveDuplicates } from './check/resolveDuplicates.js';
import { settleFromCheckpoint } from './check/settleFromCheckpoint.js';
import { type SettleRows, stageRows } from './check/stageRows.js';
import { openCheckpoint, openScratchJournal } from './checkpoint/openCheckpoint.js';
import type { CheckpointScope } from './checkpoint/syncState.js';
import type { Scrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import type { Credentials } from './fluent/credentials.js';
import type { Logger } from './log.js';
import { describeOptions, type ResolvedOptions } from './options.js';
import { runPreflight } from './preflight/runPreflight.js';
import { createProgress } from './progress.js';
import { openInput } from './read/openInput.js';
import { formatSummary } from './report/formatSummary.js';
import { prepareReportDir } from './report/prepareReportDir.js';
import { redactContent } from './report/redactContent.js';
import type { ReportContent, ReportSummary } from './report/reportTypes.js';
import { summariseRun } from './report/summariseRun.js';
import { writeReport } from './report/writeReport.js';
import { loadSeed } from './sandbox/loadSeed.js';
import type { RunMode, UniquenessScope } from './types.js';

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

/** How often the checkpoint lock's holder says it is alive, shown to a run that finds the checkpoint busy. */
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
  prepareReportDir(reportDir);
  const phoneColumn = layout.columnOfField.primaryPhone;
  const phoneColumns = phoneColumn === undefined ? [] : [phoneColumn];

  const store = openStore(options.checkpoint, runId, mode, now, deps.scrubber.scrub);
  if (store.takenOverFrom) {
    log.warn(`took over the checkpoint lock of run ${store.takenOverFrom.runId} (its process is gone)`);
  }
  const { journal } = store;
  let oms: OmsConnection | undefined;
  const heartbeat = setInterval(() => store.checkpoint?.lock.heartbeat(), HEARTBEAT_MS);
  heartbeat.unref();
  try {
    journal.startRun({
      runId,
      mode,
      apiHost: mode === 'validate' ? null : scope.apiHost,
      retailerId: options.retailerId ?? null,
      inputPath: options.file,
      context: { header: source.header, phoneColumns, unmappedColumns: layout.unmapped, delimiter: source.delimiter },
    });
    const progress = createProgress({ stream: deps.progressStream, log, quiet: options.quiet, now });

    // read → normalise → stage: the whole file lands in the journal before any request is sent, each row with the
    // outcome it can have without one (validate: every row that passes is valid).
    progress.phase('reading');
    const settle: SettleRows = store.checkpoint
      ? settleFromCheckpoint({
          syncState: store.checkpoint.syncState,
          scope,
          runId,
          mode: mode === 'dry-run' ? 'dry-run' : 'apply',
          fullCompare: options.fullCompare,
        })
      : settleValid;
    const read = await stageRows({
      rows: source.rows,
      context,
      shard: options.shard,
      journal,
      runId,
      settle,
      signal: deps.signal,
      onRow: progress.tick,
    }).catch((error: unknown) => {
      if (error instanceof UsageError) journal.discardRun(runId);
      throw error;
    });
    if (read === 0 && !options.allowEmpty && !deps.signal.aborted) {
      journal.discardRun(runId);
      throw new UsageError(`${options.file} has a header and no rows; pass --allow-empty if that is expected`);
    }

    // check: in-file duplicates.
    resolveDuplicates(journal, runId, options.onDuplicate);

    // plan → apply (validate has nothing left to do: its rows were settled as they were staged).
    let abortReason = deps.signal.aborted ? `stopped by ${String(deps.signal.reason)}` : undefined;
    let uniqueness: UniquenessScope | undefined;
    const applyStarted = now().getTime();
    if (mode !== 'validate' && store.checkpoint && abortReason === undefined) {
      const { syncState } = store.checkpoint;
      oms = await connectOms(options, {
        credentials: deps.credentials,
        accountId: deps.accountId,
        scrubber: deps.scrubber,
        seed,
        log,
      });
      // preflight: a login or retailer that cannot run this job safely stops here, before any row is looked up.
      try {
        uniqueness = await runPreflight(oms.client, {
          retailerId: scope.retailerId,
          dryRun: mode === 'dry-run',
          allowScopedLogin: options.allowScopedLogin,
          log,
        });
      } catch (error) {
        if (error instanceof UsageError) journal.discardRun(runId);
        if (!(error instanceof AbortError)) throw error;
        abortReason = error.message;
      }
      if (abortReason === undefined) {
        progress.phase(mode === 'dry-run' ? 'planning' : 'applying', journal.countOpenRows(runId));
        const settled = [...journal.outcomeCounts(runId).values()].reduce((a, b) => a + b, 0);
        ({ abortReason } = await applyPlan({
          journal,
          syncState,
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
        if (mode === 'apply') {
          progress.phase('verifying');
          const verified = await verifyCreated({
            journal,
            syncState,
            runId,
            scope,
            client: oms.client,
            concurrency: options.concurrency,
          }).catch((error: unknown) => {
            if (!(error instanceof AbortError)) throw error;
            log.warn(`could not check the created usernames against other writers: ${error.message}`);
            return 0;
          });
          if (verified > 0)
            log.warn(`${verified} created usernames are also held elsewhere in the account (conflicts)`);
        }
      }
    }
    const applyMs = now().getTime() - applyStarted;
    if (abortReason !== undefined) {
      journal.closeOpenRows(runId, `not processed: the run stopped (${abortReason})`, 'skipped');
    }
    progress.done();

    // report.
    const summary = summariseRun({
      runId,
      mode,
      startedAt,
      finishedAt: now(),
      input: {
        path: options.file,
        format: source.format,
        ...(source.sheet ? { sheet: source.sheet } : {}),
        ...source.digest(),
      },
      options: describeOptions(options),
      read,
      outcomeCounts: journal.outcomeCounts(runId),
      client: oms?.client.stats(),
      applyMs,
      abortReason,
      uniqueness,
      unmappedColumns: layout.unmapped,
      delimiter: source.delimiter,
    });
    // The run's end is recorded before the report is written, so a report that cannot be written never leaves the
    // run `running` in the checkpoint.
    journal.finishRun(runId, summary.status, deps.scrubber.scrubValue(summary));
    journal.pruneRuns(options.keepRuns);
    const content: ReportContent = {
      summary,
      header: source.header,
      phoneColumns: new Set(phoneColumns),
      outcomes: () => journal.outcomes(runId),
      rejects: () => journal.rejects(runId),
      diffs: () => journal.diffs(runId),
      throughput: progress.points(),
    };
    writeReport(reportDir, options.redact ? redactContent(content, deps.redactKey) : content, {
      scrubber: deps.scrubber,
    });
    deps.out.write(`${log.scrub(formatSummary(summary, reportDir))}\n`);

    if (abortReason !== undefined) {
      throw new AbortError(`${abortReason}; the partial report is in ${reportDir}, and the next run resumes`);
    }
    const { rejected, conflict, failed } = summary.totals;
    return { exitCode: rejected + conflict + failed > 0 ? 1 : 0, reportDir, summary };
  } finally {
    clearInterval(heartbeat);
    await oms?.close();
    store.close();
  }
}

/**
 * Where the run keeps its rows: the checkpoint (locked for the run) for sync and dry runs; for `validate`, which must
 * not need a checkpoint, a scratch journal that leaves nothing behind.
 */
function openStore(file: string, runId: string, mode: RunMode, now: () => Date, scrub: (text: string) => string) {
  if (mode === 'validate') {
    const scratch = openScratchJournal({ now });
    return { journal: scratch.journal, checkpoint: undefined, takenOverFrom: undefined, close: scratch.close };
  }
  const { checkpoint, takenOverFrom } = openCheckpoint(file, runId, { now, scrub });
  return { journal: checkpoint.journal, checkpoint, takenOverFrom, close: checkpoint.close };
}

/** validate: a row that passed every check is `valid`, its reason what normalising changed. */
function settleValid(rows: Parameters<SettleRows>[0]): ReturnType<SettleRows> {
  return rows.map((row) => (row.notes.length === 0 ? VALID : { kind: 'valid', reason: row.notes.join('; ') }));
}

/** The outcome nearly every row of a clean file gets: one shared value rather than one per row. */
const VALID = Object.freeze({ kind: 'valid', reason: '' } as const);

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
