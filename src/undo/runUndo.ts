import path from 'node:path';
import pLimit from 'p-limit';
import { LOOKUP_BATCH } from '../apply/applyPlan.js';
import { checkCredentials, connectOms, type OmsConnection } from '../apply/connectOms.js';
import { openCheckpoint } from '../checkpoint/openCheckpoint.js';
import type { ChangedCustomer, RunRecord } from '../checkpoint/runHistory.js';
import type { OutcomeUpdate } from '../checkpoint/runJournal.js';
import type { CheckpointScope } from '../checkpoint/syncState.js';
import { createRunId } from '../createRunId.js';
import { AbortError, UsageError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { AmbiguousMutationError, FluentDataError } from '../fluent/errors.js';
import { describeOptions, type ResolvedOptions } from '../options.js';
import { MAX_SEND_ROUNDS } from '../plan/decideRow.js';
import { stoppedVerdict } from '../plan/decideStaging.js';
import { isRestored, planUndo, type UndoPlan } from '../plan/planUndo.js';
import { runPreflight } from '../preflight/runPreflight.js';
import { createProgress } from '../progress.js';
import { formatSummary } from '../report/formatSummary.js';
import { prepareReportDir } from '../report/prepareReportDir.js';
import { redactContent } from '../report/redactContent.js';
import type { ReportContent, ReportSummary } from '../report/reportTypes.js';
import { summariseRun } from '../report/summariseRun.js';
import { writeReport } from '../report/writeReport.js';
import type { RunDependencies, RunResult } from '../run-sync.js';
import type { OmsCustomer } from '../types.js';
import { usernameKey } from '../usernameKey.js';

/** Changed customers read from the checkpoint at a time. */
const PAGE = 1_000;

/**
 * `undo RUN [--dry-run]` (SPEC §2): puts back what a sync run changed. Each field the run updated gets its earlier value
 * where the OMS still holds the value the run set (looked up in batches); otherwise the customer is `skipped`, reason
 * "changed since". Customers the run created are listed, since Fluent has no delete. The undo is a run of its own:
 * its report (outcomes, diff, HTML), the checkpoint's lock, pending marks before every update and a lookup for every
 * lost answer, so a killed undo is finished by running it again. Exit 0 when all was put back, 1 when some could not be.
 */
export async function runUndo(
  targetRunId: string,
  options: ResolvedOptions,
  deps: RunDependencies,
): Promise<RunResult> {
  const { log } = deps;
  const now = deps.now ?? (() => new Date());
  const startedAt = now();
  const runId = createRunId(startedAt);
  const mode = options.dryRun ? 'dry-run' : 'apply';
  const reportDir = options.reportDir ?? path.join('reports', runId);
  checkCredentials(options, deps.credentials);
  prepareReportDir(reportDir);

  const { checkpoint, takenOverFrom } = openCheckpoint(options.checkpoint, runId, { now, scrub: deps.scrubber.scrub });
  if (takenOverFrom) log.warn(`took over the checkpoint lock of run ${takenOverFrom.runId} (its process is gone)`);
  const { journal, syncState, history } = checkpoint;
  let oms: OmsConnection | undefined;
  try {
    const target = checkTarget(history.getRun(targetRunId), targetRunId, options);
    const scope: CheckpointScope = { apiHost: target.apiHost ?? '', retailerId: target.retailerId ?? '' };
    journal.startRun({
      runId,
      mode,
      apiHost: scope.apiHost,
      retailerId: scope.retailerId,
      inputPath: `undo of run ${targetRunId}`,
      context: { header: ['username'], phoneColumns: [], undoOf: targetRunId },
    });
    const progress = createProgress({ stream: deps.progressStream, log, quiet: options.quiet, now });

    // Every customer the run touched becomes a row of the undo, in username order, before anything is sent.
    progress.phase('reading');
    const stager = journal.createStager(runId);
    let read = 0;
    for (let after = ''; ; ) {
      const page = history.changedCustomers(targetRunId, after, PAGE);
      const last = page.at(-1);
      if (!last) break;
      after = last.username;
      for (const customer of page) {
        read++;
        stager.add({
          row: read,
          line: read + 1,
          cells: [customer.username],
          customer: { username: customer.username },
          hash: '',
        });
        progress.tick();
      }
    }
    stager.flush();

    let abortReason: string | undefined;
    const counts = { incomplete: 0 };
    const applyStarted = now().getTime();
    if (read > 0) {
      oms = await connectOms(options, { ...deps, seed: undefined });
      try {
        await runPreflight(oms.client, {
          retailerId: scope.retailerId,
          dryRun: options.dryRun,
          allowScopedLogin: true,
          log,
          needs: options.dryRun ? ['CUSTOMER_VIEW'] : ['CUSTOMER_VIEW', 'CUSTOMER_UPDATE'],
        });
      } catch (error) {
        if (error instanceof UsageError) journal.discardRun(runId);
        throw error;
      }
      progress.phase(mode === 'dry-run' ? 'planning' : 'putting back', read);
      abortReason = await undoAll({
        targetRunId,
        runId,
        scope,
        client: oms.client,
        dryRun: options.dryRun,
        concurrency: options.concurrency,
        signal: deps.signal,
        record: {
          settle: (outcome, plan) => {
            if (plan?.kind === 'restore' && outcome.outcome === 'updated') journal.addDiffs(runId, plan.changes);
            if (outcome.outcome === 'updated' && !options.dryRun) {
              // The OMS no longer holds what the last sync applied: the next sync compares it again.
              syncState.recordDoubted(scope, runId, usernameKey(outcome.username), outcome);
            } else if (options.dryRun) {
              journal.setOutcomes(runId, [outcome]);
            } else {
              syncState.recordUnapplied(scope, runId, usernameKey(outcome.username), outcome);
            }
            if (outcome.incomplete) counts.incomplete++;
            progress.tick();
          },
          markPending: (username) => syncState.markPending(scope, usernameKey(username), runId, 'update'),
        },
        pages: (after) => history.changedCustomers(targetRunId, after, PAGE),
      });
    }
    if (abortReason !== undefined) {
      const stopped = stoppedVerdict(abortReason, 'undo');
      journal.closeOpenRows(runId, stopped.reason, stopped.outcome);
    }
    progress.done();

    const summary: ReportSummary = {
      ...summariseRun({
        runId,
        mode,
        startedAt,
        finishedAt: now(),
        input: { path: `undo of run ${targetRunId}`, sha256: '', bytes: 0 },
        options: describeOptions(options),
        read,
        outcomeCounts: journal.outcomeCounts(runId),
        client: oms?.client.stats(),
        applyMs: now().getTime() - applyStarted,
        abortReason,
        unmappedColumns: [],
        delimiter: ',',
      }),
      undoOf: targetRunId,
    };
    journal.finishRun(runId, summary.status, deps.scrubber.scrubValue(summary));
    journal.pruneRuns(options.keepRuns);
    const content: ReportContent = {
      summary,
      header: ['username'],
      phoneColumns: new Set(),
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
      throw new AbortError(
        `${abortReason}; the partial report is in ${reportDir}, and running the undo again resumes it`,
      );
    }
    return { exitCode: counts.incomplete > 0 ? 1 : 0, reportDir, summary };
  } finally {
    await oms?.close();
    checkpoint.close();
  }
}

/** The run to undo must exist, have changed something, and have talked to the OMS this undo talks to. */
function checkTarget(run: RunRecord | undefined, runId: string, options: ResolvedOptions): RunRecord {
  if (!run)
    throw new UsageError(`run ${runId} is not in this checkpoint; \`customer-sync runs\` lists the runs it keeps`);
  if (run.mode !== 'apply') {
    throw new UsageError(
      `run ${runId} was a ${run.mode === 'dry-run' ? 'dry run' : 'validation'}: it changed nothing to undo`,
    );
  }
  if (run.apiHost?.startsWith('sandbox:')) {
    throw new UsageError(
      `run ${runId} synced with an in-process sandbox, which is gone with it: there is nothing to undo`,
    );
  }
  if (run.apiHost !== options.apiHost) {
    throw new UsageError(`run ${runId} synced with ${run.apiHost}; pass --api-host ${run.apiHost} to undo it`);
  }
  if (options.retailerId !== undefined && options.retailerId !== run.retailerId) {
    throw new UsageError(
      `run ${runId} synced retailer ${run.retailerId}, not ${options.retailerId}; drop --retailer-id`,
    );
  }
  return run;
}

interface UndoOutcome extends OutcomeUpdate {
  username: string;
  /** Not everything the run did could be put back. */
  incomplete: boolean;
}

/** Looks up, plans and puts back every changed customer; returns why it stopped early, if it did. */
async function undoAll(input: {
  targetRunId: string;
  runId: string;
  scope: CheckpointScope;
  client: Pick<FluentClient, 'findCustomers' | 'updateCustomer'>;
  dryRun: boolean;
  concurrency: number;
  signal: AbortSignal;
  record: { settle(outcome: UndoOutcome, plan?: UndoPlan): void; markPending(username: string): void };
  pages: (after: string) => ChangedCustomer[];
}): Promise<string | undefined> {
  const { client, scope, targetRunId } = input;
  const limit = pLimit(input.concurrency);
  let abortReason: string | undefined;
  let row = 0;
  const lookUp = async (usernames: string[]) => {
    const found = await client.findCustomers(usernames);
    return (username: string): OmsCustomer | undefined =>
      found.find((c) => c.username === username && c.retailerId === scope.retailerId);
  };

  const putBack = async (
    rowNumber: number,
    customer: ChangedCustomer,
    first: Extract<UndoPlan, { kind: 'restore' }>,
  ) => {
    let plan = first;
    const note = (p: typeof plan) =>
      p.changedSince.length > 0 ? `; changed since, left alone: ${p.changedSince.join('; ')}` : '';
    if (input.dryRun) {
      input.record.settle(
        {
          row: rowNumber,
          username: customer.username,
          outcome: 'updated',
          reason: `would be put back as before run ${targetRunId}${note(plan)}`,
          changedFields: plan.changes.map((c) => c.field),
          incomplete: plan.changedSince.length > 0,
        },
        plan,
      );
      return;
    }
    input.record.markPending(customer.username);
    for (let round = 1; ; round++) {
      let lost: string;
      try {
        await client.updateCustomer(plan.input);
        input.record.settle(
          {
            row: rowNumber,
            username: customer.username,
            outcome: 'updated',
            reason: `put back as before run ${targetRunId}${note(plan)}`,
            changedFields: plan.changes.map((c) => c.field),
            incomplete: plan.changedSince.length > 0,
          },
          plan,
        );
        return;
      } catch (error) {
        if (error instanceof FluentDataError) {
          input.record.settle({
            row: rowNumber,
            username: customer.username,
            outcome: 'failed',
            reason: `Fluent refused the update: ${error.message}`,
            incomplete: true,
          });
          return;
        }
        if (!(error instanceof AmbiguousMutationError)) throw error;
        lost = error.detail;
      }
      // The update may have been applied: look before anything else.
      const now = (await lookUp([customer.username]))(customer.username);
      if (isRestored(plan, now)) {
        input.record.settle(
          {
            row: rowNumber,
            username: customer.username,
            outcome: 'updated',
            reason: `put back as before run ${targetRunId}, confirmed by lookup after a lost response (${lost})${note(plan)}`,
            changedFields: plan.changes.map((c) => c.field),
            incomplete: plan.changedSince.length > 0,
          },
          plan,
        );
        return;
      }
      const next = planUndo({
        runId: targetRunId,
        username: customer.username,
        outcome: customer.outcome,
        changes: customer.changes,
        oms: now,
      });
      if (next.kind === 'skip' || round >= MAX_SEND_ROUNDS) {
        const reason =
          next.kind === 'skip' ? next.reason : `no confirmed answer after ${round} attempts (last: ${lost})`;
        input.record.settle({
          row: rowNumber,
          username: customer.username,
          outcome: next.kind === 'skip' && next.complete ? 'unchanged' : 'failed',
          reason,
          incomplete: !(next.kind === 'skip' && next.complete),
        });
        return;
      }
      plan = next;
    }
  };

  const onAbort = () => {
    abortReason ??= `stopped by ${String(input.signal.reason ?? 'a signal')}`;
  };
  input.signal.addEventListener('abort', onAbort, { once: true });
  try {
    for (let after = ''; abortReason === undefined; ) {
      const page = input.pages(after);
      const last = page.at(-1);
      if (!last) break;
      after = last.username;
      for (let i = 0; i < page.length && abortReason === undefined; i += LOOKUP_BATCH) {
        const batch = page.slice(i, i + LOOKUP_BATCH);
        const first = row + 1;
        row += batch.length;
        try {
          const omsOf = await lookUp(batch.filter((c) => c.outcome === 'updated').map((c) => c.username));
          await Promise.all(
            batch.map((customer, index) => {
              const rowNumber = first + index;
              const plan = planUndo({
                runId: targetRunId,
                username: customer.username,
                outcome: customer.outcome,
                changes: customer.changes,
                oms: omsOf(customer.username),
              });
              if (plan.kind === 'skip') {
                input.record.settle({
                  row: rowNumber,
                  username: customer.username,
                  outcome: plan.complete ? 'unchanged' : 'skipped',
                  reason: plan.reason,
                  incomplete: !plan.complete,
                });
                return undefined;
              }
              return limit(() => (abortReason === undefined ? putBack(rowNumber, customer, plan) : undefined));
            }),
          );
        } catch (error) {
          if (!(error instanceof AbortError)) throw error;
          abortReason ??= error.message;
        }
      }
    }
  } finally {
    input.signal.removeEventListener('abort', onAbort);
  }
  return abortReason;
}
