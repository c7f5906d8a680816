import crypto from 'node:crypto';
import path from 'node:path';
import { applyPlan } from './apply/applyPlan.js';
import { resolveDuplicates } from './check/resolveDuplicates.js';
import { stageRows } from './check/stageRows.js';
import type { CheckpointScope } from './checkpoint/openCheckpoint.js';
import { openRunStore } from './checkpoint/openRunStore.js';
import { AbortError, UsageError } from './errors.js';
import { createFluentClient, type FluentClient } from './fluent/createFluentClient.js';
import type { Credentials } from './fluent/credentials.js';
import type { Logger } from './log.js';
import { compileUsernameTemplate } from './normalise/compileUsernameTemplate.js';
import { loadMapping } from './normalise/loadMapping.js';
import type { NormaliseContext } from './normalise/normaliseRow.js';
import { resolveColumns } from './normalise/resolveColumns.js';
import { describeOptions, type ResolvedOptions } from './options.js';
import { createProgress } from './progress.js';
import { readRows } from './read/readRows.js';
import { checkTotals, emptyTotals } from './report/countOutcomes.js';
import { formatSummary } from './report/formatSummary.js';
import { redactContent } from './report/redactContent.js';
import { type ReportContent, type ReportSummary, writeReport } from './report/writeReport.js';
import { loadSeed } from './sandbox/loadSeed.js';
import { type Sandbox, startSandbox } from './sandbox/startSandbox.js';
import type { OutcomeKind, RunMode, RunTotals } from './types.js';

export interface RunDependencies {
  log: Logger;
  /** Where the end-of-run summary goes (stdout). */
  out: NodeJS.WritableStream;
  /** Where the progress line goes (stderr); a TTY gets a live line, anything else periodic log lines. */
  progressStream: NodeJS.WritableStream & { isTTY?: boolean };
  credentials: Credentials | undefined;
  accountId: string | undefined;
  /** Aborted by SIGINT/SIGTERM: in-flight requests finish, the partial report is written, exit 3. */
  signal: AbortSignal;
  now?: () => Date;
}

export interface RunResult {
  exitCode: 0 | 1 | 3;
  reportDir: string;
  summary: ReportSummary;
}

/** Credentials the in-process sandbox accepts (it takes any non-empty values). */
const SANDBOX_LOGIN: Credentials = {
  kind: 'password',
  clientId: 'sandbox',
  clientSecret: 'sandbox',
  username: 'sandbox',
  password: 'sandbox',
};

/**
 * The whole job, top to bottom (SPEC §2-§4): read → normalise → check → plan → apply → report.
 * `validate` stops after the checks and needs no network; `--dry-run` plans with lookups but sends no mutation.
 * File and usage problems throw UsageError before any request; a stop mid-run still writes the partial report.
 */
export async function runSync(options: ResolvedOptions, deps: RunDependencies): Promise<RunResult> {
  const now = deps.now ?? (() => new Date());
  const { log } = deps;
  const startedAt = now();
  const runId = createRunId(startedAt);
  const mode: RunMode = options.command === 'validate' ? 'validate' : options.dryRun ? 'dry-run' : 'apply';
  const reportDir = options.reportDir ?? path.join('reports', runId);

  if (mode !== 'validate' && !options.sandbox && !deps.credentials) {
    throw new UsageError(
      'no Fluent credentials: set FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET, FLUENT_USERNAME and FLUENT_PASSWORD (or FLUENT_ACCESS_TOKEN)',
    );
  }
  const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
  const seed = options.sandbox && options.sandboxSeed ? loadSeed(options.sandboxSeed) : undefined;
  const source = await readRows(options.file, { encoding: options.encoding });
  const layout = resolveColumns(source.header, mapping);
  const context: NormaliseContext = {
    layout,
    usernameTemplate: compileUsernameTemplate(options.usernameTemplate, layout, options.retailerId),
    defaultCountry: options.defaultCountry,
  };
  if (source.delimiter !== ',') log.info(`reading ${options.file} as ${describeDelimiter(source.delimiter)}-delimited`);
  if (layout.unmapped.length > 0) log.info(`ignoring unmapped columns: ${layout.unmapped.join(', ')}`);

  const store = openRunStore(options.checkpoint, mode);
  const scope: CheckpointScope = {
    apiHost: options.sandbox ? `sandbox:${runId}` : (options.apiHost ?? 'none'),
    retailerId: options.retailerId ?? '',
  };
  let sandbox: Sandbox | undefined;
  let client: FluentClient | undefined;
  const heartbeat = setInterval(() => store.checkpoint.heartbeat(runId), 15_000);
  heartbeat.unref();
  try {
    const taken = store.checkpoint.acquireLock(runId);
    if (taken.takenOverFrom) {
      log.warn(`took over the checkpoint lock of run ${taken.takenOverFrom.runId} (its process is gone)`);
    }
    const phoneColumn = layout.columnOfField.primaryPhone;
    const runContext = {
      header: source.header,
      phoneColumns: phoneColumn === undefined ? [] : [phoneColumn],
      unmappedColumns: layout.unmapped,
      delimiter: source.delimiter,
    };
    store.checkpoint.startRun({
      runId,
      mode,
      apiHost: mode === 'validate' ? null : scope.apiHost,
      retailerId: options.retailerId ?? null,
      inputPath: options.file,
      context: runContext,
    });
    const progress = createProgress({ stream: deps.progressStream, log, quiet: options.quiet, now });

    progress.phase('reading');
    let read: number;
    try {
      read = await stageRows({
        rows: source.rows,
        context,
        shard: options.shard,
        store: store.checkpoint,
        runId,
        signal: deps.signal,
        onRow: progress.tick,
      });
    } catch (error) {
      if (error instanceof UsageError) store.checkpoint.discardRun(runId);
      throw error;
    }
    if (read === 0 && !options.allowEmpty && !deps.signal.aborted) {
      store.checkpoint.discardRun(runId);
      throw new UsageError(`${options.file} has a header and no rows; pass --allow-empty if that is expected`);
    }
    resolveDuplicates(store.checkpoint, runId, options.onDuplicate);

    let abortReason: string | undefined = deps.signal.aborted ? `stopped by ${String(deps.signal.reason)}` : undefined;
    const applyStarted = Date.now();
    if (mode === 'validate') {
      store.checkpoint.closeOpenRows(runId, '', 'valid');
    } else if (abortReason === undefined) {
      if (options.sandbox) {
        sandbox = await startSandbox({ port: 0, seed });
        log.info(`sandbox OMS started at ${sandbox.url}${seed ? ` with ${seed.length} seeded customers` : ''}`);
      }
      client = createFluentClient({
        apiHost: sandbox?.url ?? (options.apiHost as string),
        credentials: sandbox ? SANDBOX_LOGIN : (deps.credentials as Credentials),
        accountId: deps.accountId,
        ratePerSecond: options.rate,
        connections: options.concurrency,
        onRetry: (e) => log.debug('retrying a request', { ...e }),
      });
      progress.phase(mode === 'dry-run' ? 'planning' : 'applying', store.checkpoint.countOpenRows(runId));
      const counts = store.checkpoint.outcomeCounts(runId);
      const result = await applyPlan({
        store: store.checkpoint,
        runId,
        scope,
        client,
        dryRun: mode === 'dry-run',
        fullCompare: options.fullCompare,
        concurrency: options.concurrency,
        maxErrorRate: options.maxErrorRate,
        settledRows: [...counts.values()].reduce((a, b) => a + b, 0),
        log,
        signal: deps.signal,
        onRowDone: progress.tick,
      });
      abortReason = result.abortReason;
    }
    const applyMs = Date.now() - applyStarted;
    if (abortReason !== undefined) {
      store.checkpoint.closeOpenRows(runId, `not processed: the run stopped (${abortReason})`, 'skipped');
    }
    progress.done();

    const totals = countTotals(store.checkpoint.outcomeCounts(runId), read);
    const stats = client?.stats();
    const finishedAt = now();
    const summary: ReportSummary = {
      runId,
      mode,
      startedAt: startedAt.toISOString(),
      finishedAt: finishedAt.toISOString(),
      input: { path: options.file, ...source.digest() },
      options: describeOptions(options),
      totals,
      requests: {
        graphql: stats?.graphql ?? 0,
        retries: stats?.retries ?? 0,
        rateLimited: stats?.rateLimited ?? 0,
        effectiveRate: stats && applyMs > 0 ? round2((stats.graphql * 1000) / applyMs) : 0,
      },
      durationMs: finishedAt.getTime() - startedAt.getTime(),
      status: abortReason === undefined ? 'completed' : 'aborted',
      ...(abortReason === undefined ? {} : { abortReason }),
      unmappedColumns: layout.unmapped,
      delimiter: source.delimiter,
    };
    const content: ReportContent = {
      summary,
      header: source.header,
      phoneColumns: new Set(runContext.phoneColumns),
      outcomes: () => store.checkpoint.outcomes(runId),
      rejects: () => store.checkpoint.rejects(runId),
      diffs: () => store.checkpoint.diffs(runId),
      throughput: progress.points(),
    };
    writeReport(reportDir, options.redact ? redactContent(content) : content);
    store.checkpoint.finishRun(runId, summary.status, summary);
    store.checkpoint.pruneRuns(options.keepRuns);
    deps.out.write(`${log.scrub(formatSummary(summary, reportDir))}\n`);
    if (abortReason !== undefined) {
      throw new AbortError(`${abortReason}; the partial report is in ${reportDir}, and the next run resumes`);
    }
    const attention = totals.rejected + totals.conflict + totals.failed;
    return { exitCode: attention > 0 ? 1 : 0, reportDir, summary };
  } finally {
    clearInterval(heartbeat);
    await client?.close();
    await sandbox?.close();
    store.close(runId);
  }
}

function countTotals(counts: ReadonlyMap<OutcomeKind, number>, read: number): RunTotals {
  const totals = emptyTotals();
  for (const [kind, n] of counts) {
    totals[kind] += n;
    totals.read += n;
  }
  if (totals.read !== read) {
    throw new Error(`internal error: ${read} rows read but ${totals.read} outcomes recorded`);
  }
  checkTotals(totals);
  return totals;
}

/** Sortable, unique enough for one checkpoint: 20261125T201955Z-3f9a. */
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

function round2(n: number): number {
  return Math.round(n * 100) / 100;
}
