import { applyPlan } from '../../apply/applyPlan.js';
import { checkCredentials } from '../../apply/connectOms.js';
import { findMissingCustomers, type MissingListing } from '../../apply/findMissingCustomers.js';
import { verifyCreated } from '../../apply/verifyCreated.js';
import type { MissingList } from '../../checkpoint/runJournal.js';
import { AbortError } from '../../errors.js';
import type { ResolvedOptions } from '../../options/index.js';
import { settleFromCheckpoint } from '../../plan/settleFromCheckpoint.js';
import type { Input } from '../../read/openInput.js';
import { loadSeed } from '../../sandbox/loadSeed.js';
import type { SeedCustomer } from '../../sandbox/sandboxTypes.js';
import type { Job, JobApply } from '../runTypes.js';
import { type FileInput, fileJob } from './fileJob.js';

/**
 * `sync FILE` and `sync FILE --dry-run` (SPEC §2-§3): the file staged with what the checkpoint alone decides, then
 * each open row looked up, planned and (unless a dry run) sent; a sync then checks the usernames it created against
 * other writers, and with --report-missing lists the retailer's customers the file does not hold.
 */
export function syncJob(
  options: ResolvedOptions,
  credentials: Parameters<typeof checkCredentials>[1],
  openRows?: (signal: AbortSignal) => Promise<Input>,
): Job<FileInput> {
  let seed: SeedCustomer[] | undefined;
  return fileJob(options, {
    openRows,
    mode: options.dryRun ? 'dry-run' : 'apply',
    hookMode: options.dryRun ? 'dry-run' : 'apply',
    store: 'checkpoint',
    check() {
      checkCredentials(options, credentials);
      if (options.sandbox && options.sandboxSeed) seed = loadSeed(options.sandboxSeed);
    },
    apiHost: (runId) => scopeOf(options, runId).apiHost,
    settle: ({ checkpoint, runId }, scope) => {
      if (!checkpoint) throw new Error('a sync runs on the checkpoint');
      const mode = options.dryRun ? 'dry-run' : 'apply';
      return settleFromCheckpoint({
        syncState: checkpoint.syncState,
        scope,
        runId,
        mode,
        fullCompare: options.fullCompare,
      });
    },
    leavesRowsOpen: true,
    apply: () => syncApply(options, seed),
  });
}

/** The OMS part of a sync or dry run (and of ensureCustomers, a create-only sync of records). */
export function syncApply(options: ResolvedOptions, seed: SeedCustomer[] | undefined): JobApply {
  const { dryRun } = options;
  return {
    seed,
    preflight: { dryRun, allowScopedLogin: options.allowScopedLogin, writeMode: options.mode },
    phase: dryRun ? 'planning' : 'applying',
    async run({ journal, checkpoint, runId, log, deps, progress }, oms, { scope, settledRows }) {
      if (!checkpoint) throw new Error('a sync runs on the checkpoint');
      const { syncState } = checkpoint;
      const { client } = oms;
      let { abortReason } = await applyPlan({
        journal,
        syncState,
        runId,
        scope,
        client,
        dryRun,
        writeMode: options.mode,
        fullCompare: options.fullCompare,
        concurrency: options.concurrency,
        batch: options.batch,
        maxErrorRate: options.maxErrorRate,
        settledRows,
        log,
        signal: deps.signal,
        onRowDone: progress.tick,
      });
      // The chart shows the apply (or the plan), not the check of created usernames that follows it.
      const throughput = progress.points();
      const rateFound = describeRateFound(options.rate, client.stats());
      if (rateFound) log.info(rateFound);
      if (!dryRun) {
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
        if (verified > 0) log.warn(`${verified} created usernames are also held elsewhere in the account (conflicts)`);
      }
      // --report-missing: the retailer's OMS customers the file does not hold, once every row has its outcome.
      let missing: MissingList | undefined;
      let missingListing: MissingListing | undefined;
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
      return { abortReason, throughput, missing, missingListing };
    },
  };
}

/** Where the run's sync state entries belong: the API host and retailer. */
function scopeOf(options: ResolvedOptions, runId: string) {
  return {
    // An in-process sandbox is new every run: its own scope keeps earlier runs' hashes from making rows unchanged.
    apiHost: options.sandbox ? `sandbox:${runId}` : (options.apiHost ?? ''),
    retailerId: options.retailerId ?? '',
  };
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
