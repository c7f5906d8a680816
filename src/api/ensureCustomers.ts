import { UsageError } from '../errors.js';
import { ensureJob } from '../run/jobs/ensureJob.js';
import { runJob } from '../run/runJob.js';
import { type CustomerRecord, type EnsureCustomersOptions, type EnsureResult, NOT_FOR_ENSURE } from './apiTypes.js';
import { prepareRun } from './prepareRun.js';
import { queueOnCheckpoint } from './queueOnCheckpoint.js';

/**
 * Fluent's customer-before-order step (SPEC §7): for each customer, its OMS id — found, or made by creating the
 * customer — as `createOrder` needs it. The records are normalised exactly as a sync normalises a file's rows (Fluent
 * field names, or raw rows with `mapping`), usernames come from the username column or `usernameTemplate`, lookups go
 * in batches, and a missing customer is created once under the same uniqueness rules: a username another retailer
 * holds (or a case variant) is a `conflict` with no id, an existing customer is left as it is (`unchanged`, its id).
 * It runs as `sync --mode create-only` on the checkpoint, so a later call for the same customers sends no request;
 * calls of this process on one checkpoint take it in turn, so two calls for one username create it once.
 *
 * @returns one result per record, in input order
 * @throws UsageError (exitCode 2) for bad options or records, missing credentials, or an account that cannot run this
 *   (an unknown retailer, a missing permission), before any mutation; AbortError (exitCode 3) when stopped early
 */
export async function ensureCustomers(
  customers: readonly CustomerRecord[],
  options: EnsureCustomersOptions = {},
): Promise<EnsureResult[]> {
  if (!Array.isArray(customers)) throw new UsageError('ensureCustomers takes an array of customer records');
  if (options === null || typeof options !== 'object') {
    throw new UsageError('ensureCustomers takes an object of options as its second argument');
  }
  const prepared = prepareRun(
    { name: 'ensureCustomers', command: 'sync', without: NOT_FOR_ENSURE },
    options as Record<string, unknown>,
    'ensureCustomers',
  );
  const ensured = Object.freeze({ ...prepared.options, mode: 'create-only' as const });
  if (customers.length === 0) return [];
  const job = ensureJob(customers, ensured, prepared.deps.credentials);
  await queueOnCheckpoint(ensured.checkpoint, () => runJob(job, ensured, prepared.deps));
  return job.results();
}
