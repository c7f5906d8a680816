import path from 'node:path';
import { applyPlan } from './apply/applyPlan.js';
import { checkCredentials, connectOms, type OmsConnection } from './apply/connectOms.js';
import { findMissingCustomers, type MissingListing } from './apply/findMissingCustomers.js';
import { logRequests } from './apply/logRequests.js';
import { verifyCreated } from './apply/verifyCreated.js';
import { resolveDuplicates } from './check/resolveDuplicates.js';
import { settleFromCheckpoint } from './check/settleFromCheckpoint.js';
import { type SettleRows, stageRows } from './check/stageRows.js';
import { openCheckpoint, openScratchJournal } from './checkpoint/openCheckpoint.js';
import type { MissingList } from './checkpoint/runJournal.js';
import type { CheckpointScope } from './checkpoint/syncState.js';
import { createRunId } from './createRunId.js';
import type { Scrubber } from './createScrubber.js';
import { AbortError, UsageError } from './errors.js';
import type { Credentials } from './fluent/credentials.js';
import type { Logger } from './log.js';
import { announceRunEnd } from './ops/announceRunEnd.js';
import { hookSecrets } from './ops/hookSecrets.js';
import { describeOptions, type ResolvedOptions } from './options.js';
import { runPreflight } from './preflight/runPreflight.js';
import { createProgress } from './progress.js';
import { limitRows } from './read/limitRows.js';
import { openInput } from './read/openInput.js';
import { prepareReportDir } from './report/prepareReportDir.js';
import { printSummary } from './report/printSummary.js';
import { redactContent } from './report/redactContent.js';
import type { ReportContent, ReportSummary, RequestSample, ThroughputPoint } from './report/reportTypes.js';
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
  /** The exit code the command line gives an error that ends the run, for the end-of-run hooks (cli.ts decides). */
  exitCodeOf: (error: unknown) => number;
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
 * throws AbortError (exit 3); otherwise the exit code is 1 when some rows need attention. However it ends, the
 * end is announced to the ops hooks (--metrics-file, --pushgateway, --notify-url) with the exit code the command
 * line will give.
 */
export async function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  for (const secret of hookSecrets(options)) deps.scrubber.add(secret);
  const now = deps.now ?? (() => new Date());
  const record: RunRecord = { startedAt: now() };
  let exitCode = 3;
  let failure: unknown;
  try {
    const result = await runJob(options, deps, record);
    exitCode = result.exitCode;
    return result;
  } catch (error) {
    failure = error;
    exitCode = deps.exitCodeOf(error);
    throw error;
  } finally {
    // Every run's end is announced (metrics, Pushgateway, webhook), aborted and refused ones too; never throws.
    await announceRunEnd(
      {
        runId: record.runId,
        mode: runModeOf(options),
        retailerId: options.retailerId,
        shard: options.shard,
        exitCode,
        startedAt: record.startedAt,
        finishedAt: now(),
        summary: record.summary,
        reportDir: record.reportDir,
        error: describeFailure(failure),
      },
      options,
      { log: deps.log, scrubber: deps.scrubber },
    );
  }
}

/** What the end-of-run hooks learn from the run as it goes: each part once it exists. */
interface RunRecord {
  startedAt: Date;
  runId?: string;
  summary?: ReportSummary;
  /** Set once the report is written there. */
  reportDir?: string;
}

/** The job itself (see runSync), telling `record` what the end-of-run hooks need as it learns it. */
async function runJob(options: ResolvedOptions, deps: RunDependencies, record: RunRecord): Promise<RunResult> {
  const { log } = deps;
  const now = deps.now ?? (() => new Date());
  const { startedAt } = record;
  const runId = createRunId(startedAt);
  record.runId = runId;
  const mode = runModeOf(options);
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
  for (const { header, field } of layout.guessed) log.info(`reading column "${header}" as ${field}`);
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
    const progress = createProgress({
      stream: deps.progressStream,
      log,
      quiet: options.quiet,
      format: options.logFormat,
      now,
      requests: () => sampleRequests(oms),
    });

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
      // --limit: a sample run reads the first N data rows and stops reading there.
      rows: options.limit === undefined ? source.rows : limitRows(source.rows, options.limit),
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
    let throughput: ThroughputPoint[] | undefined;
    const applyStarted = now().getTime();
    let missing: MissingList | undefined;
    let missingListing: MissingListing | undefined;
    if ((mode === 'validate' || !store.checkpoint) && options.reportMissing) {
      log.info('--report-missing needs the OMS: validate lists no missing customers');
    }
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
          writeMode: options.mode,
          log,
        });
      } catch (error) {
        if (error instanceof UsageError) journal.discardRun(runId);
        if (!(error instanceof AbortError)) throw error;
        abortReason = error.message;
      }
      // --verbose: each lookup and mutation, with its username and how it ended.
      const client = options.verbose ? logRequests(oms.client, log) : oms.client;
      if (abortReason === undefined) {
        progress.phase(mode === 'dry-run' ? 'planning' : 'applying', journal.countOpenRows(runId));
        const settled = [...journal.outcomeCounts(runId).values()].reduce((a, b) => a + b, 0);
        ({ abortReason } = await applyPlan({
          journal,
          syncState,
          runId,
          scope,
          client,
          dryRun: mode === 'dry-run',
          writeMode: options.mode,
          fullCompare: options.fullCompare,
          concurrency: options.concurrency,
          batch: options.batch,
          maxErrorRate: options.maxErrorRate,
          settledRows: settled,
          log,
          signal: deps.signal,
          onRowDone: progress.tick,
        }));
        // The chart shows the apply (or the plan), not the check of created usernames that follows it.
        throughput = progress.points();
        const rateFound = describeRateFound(options.rate, oms.client.stats());
        if (rateFound) log.info(rateFound);
        if (mode === 'apply') {
          progress.phase('verifying');
          const verified = await verifyCreated({
            journal,
            syncState,
            runId,
            scope,
            client,
            concurrency: options.concurrency,
          }).catch((error: unknown) => {
            if (!(error instanceof AbortError)) throw error;
            log.warn(`could not check the created usernames against other writers: ${error.message}`);
            return 0;
          });
          if (verified > 0)
            log.warn(`${verified} created usernames are also held elsewhere in the account (conflicts)`);
        }
        // --report-missing: the retailer's OMS customers the file does not hold, once every row has its outcome.
        if (options.reportMissing && abortReason === undefined) {
          progress.phase('listing missing customers');
          const list = journal.createMissingList(runId);
          ({ abortReason, listing: missingListing } = await findMissingCustomers({
            client: oms.client,
            retailerId: scope.retailerId,
            shard: options.shard,
            missing: list,
            signal: deps.signal,
            onCustomer: progress.tick,
            log,
          }));
          if (abortReason === undefined) missing = list;
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
      missing: missing && { count: missing.count(), complete: true, ...missingListing },
    });
    record.summary = summary;
    const missingList = missing;
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
      missing: missingList && (() => missingList.customers()),
      throughput: throughput ?? progress.points(),
    };
    writeReport(reportDir, options.redact ? redactContent(content, deps.redactKey) : content, {
      scrubber: deps.scrubber,
    });
    record.reportDir = reportDir;
    const { rejected, conflict, failed } = summary.totals;
    const needAttention = rejected + conflict + failed;
    const exitCode = abortReason !== undefined ? 3 : needAttention > 0 ? 1 : 0;
    printSummary(summary, reportDir, exitCode, {
      out: deps.out,
      format: options.logFormat,
      quiet: options.quiet,
      scrubber: deps.scrubber,
    });

    if (abortReason !== undefined) {
      throw new AbortError(`${abortReason}; the partial report is in ${reportDir}, and the next run resumes`);
    }
    // --quiet prints no summary: a run that ends 1 still says why in one line, so cron mails it.
    if (options.quiet && needAttention > 0) {
      log.error(`${needAttention} ${needAttention === 1 ? 'row needs' : 'rows need'} attention: see ${reportDir}`);
    }
    return { exitCode: needAttention > 0 ? 1 : 0, reportDir, summary };
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

/**
 * Fluent does not document its rate limit: when it refused requests for the rate, what the client came down to is
 * the best guide to `--rate` for the next run.
 */
function describeRateFound(rate: number | 'auto', stats: { rateLimited: number; allowedRate: number }) {
  if (stats.rateLimited === 0) return undefined;
  const found = `the OMS refused ${stats.rateLimited} requests for the rate; the client ended at ${Math.round(stats.allowedRate)} requests/s`;
  return rate === 'auto'
    ? `${found} (--rate auto)`
    : `${found} of --rate ${rate} (--rate auto finds the limit by itself)`;
}

/** What the throughput chart samples of the OMS client, once there is one. */
function sampleRequests(oms: OmsConnection | undefined): RequestSample | undefined {
  if (!oms) return undefined;
  const { graphql, allowedRate } = oms.client.stats();
  return { requests: graphql, allowedRate };
}

function runModeOf(options: ResolvedOptions): RunMode {
  return options.command === 'validate' ? 'validate' : options.dryRun ? 'dry-run' : 'apply';
}

/**
 * The message of the error that ended a run, for the webhook: the tool's own one line for a refused or aborted run;
 * anything else may carry what it should not, and the log has it.
 */
function describeFailure(error: unknown): string | undefined {
  if (error === undefined) return undefined;
  if (error instanceof UsageError || error instanceof AbortError) return error.message;
  return 'unexpected error (the log says more)';
}

/** validate: a row that passed every check is `valid`, its reason what normalising changed. */
function settleValid(rows: Parameters<SettleRows>[0]): ReturnType<SettleRows> {
  return rows.map((row) => (row.notes.length === 0 ? VALID : { kind: 'valid', reason: row.notes.join('; ') }));
}

/** The outcome nearly every row of a clean file gets: one shared value rather than one per row. */
const VALID = Object.freeze({ kind: 'valid', reason: '' } as const);

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}
