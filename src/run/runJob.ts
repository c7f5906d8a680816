import path from 'node:path';
import { connectOms, type OmsConnection } from '../apply/connectOms.js';
import type { MissingListing } from '../apply/findMissingCustomers.js';
import { logRequests } from '../apply/logRequests.js';
import { checkCheckpointPath } from '../checkpoint/openCheckpointFile.js';
import { AbortError, UsageError } from '../errors.js';
import { hookSecrets } from '../ops/hookSecrets.js';
import { describeOptions, type ResolvedOptions } from '../options/index.js';
import { stoppedVerdict } from '../plan/decideStaging.js';
import { runPreflight } from '../preflight/runPreflight.js';
import { printSummary } from '../report/printSummary.js';
import { redactContent } from '../report/redactContent.js';
import type { ReportContent, ReportSummary, RequestSample, ThroughputPoint } from '../report/reportTypes.js';
import { summariseRun } from '../report/summariseRun.js';
import { writeReport } from '../report/writeReport.js';
import type { UniquenessScope } from '../types.js';
import { claimReportDir } from './claimReportDir.js';
import { createProgress } from './createProgress.js';
import { createRunId } from './createRunId.js';
import { countNeedingAttention, exitCodeOf } from './exitCodeOf.js';
import { openRunStore } from './openRunStore.js';
import type { Job, JobApply, RunContext, RunDependencies, RunOutcome, RunResult } from './runTypes.js';

/**
 * The run skeleton every job shares (SPEC §2-§4), top to bottom: open the input → the store (checkpoint, locked and
 * heartbeating, or a scratch journal) and the report folder → record the run and stage its rows → connect, preflight
 * and apply (when the job talks to the OMS) → close what a stop left open → summary, report, printing → exit code
 * (exitCodeOf). File and usage problems throw UsageError before any request and leave nothing behind; a stop mid-run
 * writes the partial report and throws AbortError (exit 3). However it ends, the end is announced to the ops hooks
 * (--metrics-file, --pushgateway, --notify-url) with the exit code the command line will give.
 */
export async function runJob<Input>(
  job: Job<Input>,
  options: ResolvedOptions,
  deps: RunDependencies,
): Promise<RunResult> {
  for (const secret of hookSecrets(options)) deps.scrubber.add(secret);
  const now = deps.now ?? (() => new Date());
  const end: RunEndRecord = { startedAt: now() };
  let exitCode = 3;
  let failure: unknown;
  try {
    const result = await carryOut(job, options, deps, end);
    exitCode = result.exitCode;
    return result;
  } catch (error) {
    failure = error;
    exitCode = deps.exitCodeOf(error);
    throw error;
  } finally {
    // Every run's end is announced (metrics, Pushgateway, webhook), aborted and refused ones too; never throws. The
    // hooks' modules (prom-client, undici) are a good part of a run's start-up: loaded only for a run that has one.
    if (options.metricsFile !== undefined || options.pushgateway !== undefined || options.notifyUrl !== undefined) {
      const { announceRunEnd } = await import('../ops/announceRunEnd.js');
      await announceRunEnd(
        {
          runId: end.runId,
          mode: job.hookMode,
          retailerId: end.retailerId ?? options.retailerId,
          shard: options.shard,
          exitCode,
          startedAt: end.startedAt,
          finishedAt: now(),
          summary: end.summary,
          reportDir: end.reportDir,
          error: describeFailure(failure),
        },
        options,
        { log: deps.log, scrubber: deps.scrubber },
      );
    }
  }
}

/** What the end-of-run hooks learn from the run as it goes: each part once it exists. */
interface RunEndRecord {
  startedAt: Date;
  runId?: string;
  /** The retailer the run recorded (an undo's is its target's). */
  retailerId?: string;
  summary?: ReportSummary;
  /** Set once the report is written there. */
  reportDir?: string;
}

async function carryOut<Input>(
  job: Job<Input>,
  options: ResolvedOptions,
  deps: RunDependencies,
  end: RunEndRecord,
): Promise<RunResult> {
  const { log, signal } = deps;
  const now = deps.now ?? (() => new Date());
  const runId = createRunId(end.startedAt);
  end.runId = runId;
  // A job whose report is optional (ensureCustomers) writes one only into a folder it is given.
  const reportDir = options.reportDir ?? (job.writesReport === 'when-asked' ? undefined : path.join('reports', runId));
  const input = await job.open({ runId, signal, log });
  // A --checkpoint that cannot be used is refused before the report folder is made: a refused run leaves nothing.
  if (job.store === 'checkpoint') checkCheckpointPath(options.checkpoint);
  const folder = reportDir === undefined ? undefined : claimReportDir(reportDir);
  let reporting = false;
  let oms: OmsConnection | undefined;
  let connecting: Promise<AccountCheck> | undefined;
  let store: ReturnType<typeof openRunStore> | undefined;
  try {
    store = openRunStore({
      kind: job.store,
      mustExist: job.storeMustExist === true,
      file: options.checkpoint,
      runId,
      now,
      scrub: deps.scrubber.scrub,
      log,
    });
    const { journal, checkpoint } = store;
    const progress = createProgress({
      stream: deps.progressStream,
      log,
      quiet: options.quiet,
      format: options.logFormat,
      now,
      requests: () => sampleRequests(oms),
    });
    const run: RunContext = { runId, options, deps, log, now, journal, checkpoint, progress };
    const { record, scope } = job.start(run, input);
    journal.startRun({ runId, mode: job.mode, ...record });
    if (record.retailerId) end.retailerId = record.retailerId;

    // A sync connects and runs its preflight (token, login, retailer: read-only) while its rows are read.
    const early = job.connectsWhileReading ? job.apply(undefined) : undefined;
    const checkAccount = (apply: JobApply) =>
      connectAndCheck(
        options,
        { ...deps, seed: apply.seed },
        { retailerId: scope.retailerId, ...apply.preflight },
        now,
      );
    connecting = early && checkAccount(early);

    // Every row lands in the journal before any row is looked up, each with the outcome it can have without one.
    progress.phase('reading');
    const { read } = await job.stage(run, input, scope).catch((error: unknown) => {
      if (error instanceof UsageError) journal.discardRun(runId);
      throw error;
    });

    let abortReason = signal.aborted ? `stopped by ${String(signal.reason)}` : undefined;
    let uniqueness: UniquenessScope | undefined;
    let throughput: ThroughputPoint[] | undefined;
    let missing: RunOutcome['missing'];
    let missingListing: MissingListing | undefined;
    let applyMs = 0;
    const apply = early ?? job.apply(read);
    if (apply && abortReason === undefined) {
      const checked = await (connecting ?? checkAccount(apply));
      const applyStarted = now().getTime();
      oms = checked.oms;
      // preflight: a login or retailer that cannot run this job safely stops here, before any row is looked up.
      if (checked.error === undefined) uniqueness = checked.uniqueness;
      else {
        if (checked.error instanceof UsageError) journal.discardRun(runId);
        if (!(checked.error instanceof AbortError)) throw checked.error;
        abortReason = checked.error.message;
      }
      if (abortReason === undefined && oms) {
        const open = journal.countOpenRows(runId);
        progress.phase(apply.phase, open);
        // Every row read was staged, once: those not open were settled (found through the open rows' index).
        const settled = read - open;
        // --verbose: each lookup and mutation, with its username and how it ended.
        const client = options.verbose ? logRequests(oms.client, log) : oms.client;
        ({ abortReason, throughput, missing, missingListing } = await apply.run(
          run,
          { ...oms, client },
          { scope, settledRows: settled },
        ));
      }
      // The apply phase's time: its connection and preflight (beside the reading or not), then the rest.
      applyMs = checked.ms + (now().getTime() - applyStarted);
    }
    if (abortReason !== undefined) {
      const stopped = stoppedVerdict(abortReason, job.stoppedAs);
      journal.closeOpenRows(runId, stopped.reason, stopped.outcome);
    }
    progress.done();

    // report.
    const outcome: RunOutcome = { read, abortReason, uniqueness, missing };
    const { extra, ...parts } = job.summarise(input, outcome);
    const summary: ReportSummary = {
      ...summariseRun({
        runId,
        mode: job.mode,
        startedAt: end.startedAt,
        finishedAt: now(),
        options: describeOptions(options),
        read,
        outcomeCounts: journal.outcomeCounts(runId),
        details: job.mode === 'validate' ? undefined : journal.outcomeDetails(runId),
        client: oms?.client.stats(),
        applyMs,
        abortReason,
        missing: missing && { count: missing.count(), complete: true, ...missingListing },
        shard: options.shard,
        ...parts,
      }),
      ...extra,
    };
    end.summary = summary;
    // The run's end is recorded before the report is written, so a report that cannot be written never leaves the
    // run `running` in the checkpoint.
    journal.finishRun(runId, summary.status, deps.scrubber.scrubValue(summary));
    journal.pruneRuns(options.keepRuns);
    job.finish?.(run);
    const exitCode = exitCodeOf(summary);
    if (reportDir === undefined) {
      if (exitCode === 3) throw new AbortError(`${abortReason}; ${job.resumeHint}`);
      return { exitCode, reportDir: null, summary };
    }
    const content: ReportContent = {
      summary,
      outcomes: () => journal.outcomes(runId),
      rejects: () => journal.rejects(runId),
      diffs: () => journal.diffs(runId),
      throughput: throughput ?? progress.points(),
      ...job.report(run, input, outcome),
    };
    // From here the folder is the report's, even if writing it fails (the error names it).
    reporting = true;
    writeReport(reportDir, options.redact ? redactContent(content, deps.redactKey) : content, {
      scrubber: deps.scrubber,
    });
    end.reportDir = reportDir;
    printSummary(summary, reportDir, exitCode, {
      out: deps.out,
      format: options.logFormat,
      quiet: options.quiet,
      scrubber: deps.scrubber,
    });
    if (exitCode === 3) {
      throw new AbortError(`${abortReason}; the partial report is in ${reportDir}, and ${job.resumeHint}`);
    }
    // --quiet prints no summary: a run that ends 1 still says why in one line, so cron mails it.
    const attention = countNeedingAttention(summary);
    if (options.quiet && attention > 0) {
      log.error(`${attention} ${attention === 1 ? 'row needs' : 'rows need'} attention: see ${reportDir}`);
    }
    return { exitCode, reportDir, summary };
  } catch (error) {
    if (!reporting) folder?.release();
    throw error;
  } finally {
    // A run that ends while its preflight is still under way (a bad file, a stop) does not wait for it.
    if (connecting && !oms) void connecting.then((checked) => checked.oms?.close());
    await oms?.close();
    store?.close();
  }
}

/** A run's connection and preflight, and how long they took; what went wrong is kept for the run to act on. */
interface AccountCheck {
  oms?: OmsConnection;
  uniqueness?: UniquenessScope;
  error?: unknown;
  ms: number;
}

async function connectAndCheck(
  options: ResolvedOptions,
  deps: Parameters<typeof connectOms>[1],
  preflight: Omit<Parameters<typeof runPreflight>[1], 'log'>,
  now: () => Date,
): Promise<AccountCheck> {
  const started = now().getTime();
  const check: AccountCheck = { ms: 0 };
  try {
    check.oms = await connectOms(options, deps);
    check.uniqueness = await runPreflight(check.oms.client, { ...preflight, log: deps.log });
  } catch (error) {
    check.error = error;
  }
  check.ms = now().getTime() - started;
  return check;
}

/** What the throughput chart samples of the OMS client, once there is one. */
function sampleRequests(oms: OmsConnection | undefined): RequestSample | undefined {
  if (!oms) return undefined;
  const { graphql, allowedRate } = oms.client.stats();
  return { requests: graphql, allowedRate };
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
