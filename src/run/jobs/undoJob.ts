import { applyUndo } from '../../apply/applyUndo.js';
import { checkCredentials } from '../../apply/connectOms.js';
import type { ChangedCustomer, RunHistory, RunRecord } from '../../checkpoint/runHistory.js';
import type { CheckpointScope } from '../../checkpoint/syncState.js';
import { UsageError } from '../../errors.js';
import type { ResolvedOptions } from '../../options/index.js';
import type { Job, RunContext } from '../runTypes.js';

/** Changed customers read from the checkpoint at a time. */
const PAGE = 1_000;

/**
 * `undo RUN [--dry-run]` (SPEC §2): puts back what a sync run changed, as a run of its own on the run skeleton — its
 * report, the checkpoint's lock and heartbeat, the ops hooks (mode `undo`), pending marks before every update and a
 * lookup for every lost answer, so a killed undo is finished by running it again. Every customer the run touched
 * becomes a row of the undo, in username order, before anything is sent; what each comes to is plan/decideUndo's.
 * It needs the checkpoint the run used: a missing one is refused, and none is created. Exit 0 when all was put back,
 * 1 when some could not be (created customers, values changed since, refusals).
 */
export function undoJob(
  targetRunId: string,
  options: ResolvedOptions,
  credentials: Parameters<typeof checkCredentials>[1],
): Job<undefined> {
  let incomplete = 0;
  const inputPath = `undo of run ${targetRunId}`;
  return {
    mode: options.dryRun ? 'dry-run' : 'apply',
    hookMode: options.dryRun ? 'undo-dry-run' : 'undo',
    store: 'checkpoint',
    storeMustExist: true,
    stoppedAs: 'undo',
    resumeHint: 'running the undo again resumes it',
    async open() {
      checkCredentials(options, credentials);
      return undefined;
    },
    start({ checkpoint }) {
      const target = checkTarget(historyOf(checkpoint).getRun(targetRunId), targetRunId, options);
      const scope = { apiHost: target.apiHost ?? '', retailerId: target.retailerId ?? '' };
      return {
        scope,
        record: {
          ...scope,
          inputPath,
          context: { header: ['username'], phoneColumns: [], undoOf: targetRunId },
        },
      };
    },
    async stage({ checkpoint, journal, runId, progress }) {
      const stager = journal.createStager(runId);
      let read = 0;
      for (const page of changedPages(historyOf(checkpoint), targetRunId)) {
        for (const customer of page) {
          read++;
          const cells = [customer.username];
          stager.add({ row: read, line: read + 1, cells, customer: { username: customer.username }, hash: '' });
          progress.tick();
        }
      }
      stager.flush();
      return { read };
    },
    apply: (read) =>
      read === 0
        ? undefined
        : {
            preflight: {
              dryRun: options.dryRun,
              allowScopedLogin: true,
              // An undo only updates: CUSTOMER_VIEW and CUSTOMER_UPDATE (a dry run, CUSTOMER_VIEW alone).
              writeMode: 'update-only',
            },
            phase: options.dryRun ? 'planning' : 'putting back',
            run: (run, oms, { scope }) => putBack(run, oms.client, scope),
          },
    summarise: () => ({
      input: { path: inputPath, sha256: '', bytes: 0 },
      unmappedColumns: [],
      delimiter: ',',
      extra: { undoOf: targetRunId, incomplete },
    }),
    report: () => ({ header: ['username'], phoneColumns: new Set() }),
  };

  function putBack(run: RunContext, client: Parameters<typeof applyUndo>[0]['client'], scope: CheckpointScope) {
    const { checkpoint, journal, runId, log, deps, progress } = run;
    if (!checkpoint) throw new Error('an undo runs on the checkpoint');
    return applyUndo({
      pages: changedPages(checkpoint.history, targetRunId),
      journal,
      syncState: checkpoint.syncState,
      runId,
      targetRunId,
      scope,
      client,
      dryRun: options.dryRun,
      concurrency: options.concurrency,
      log,
      signal: deps.signal,
      onRowDone: (decision) => {
        if (decision.incomplete) incomplete++;
        progress.tick();
      },
    });
  }
}

/** The customers the run created or updated, a page at a time, in username order. */
function* changedPages(history: RunHistory, runId: string): Generator<ChangedCustomer[]> {
  for (let after = ''; ; ) {
    const page = history.changedCustomers(runId, after, PAGE);
    const last = page.at(-1);
    if (!last) return;
    after = last.username;
    yield page;
  }
}

function historyOf(checkpoint: RunContext['checkpoint']): RunHistory {
  if (!checkpoint) throw new Error('an undo runs on the checkpoint');
  return checkpoint.history;
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
