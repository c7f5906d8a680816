import { shardOf } from '../check/shardOf.js';
import type { MissingList } from '../checkpoint/runJournal.js';
import { AbortError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { FluentDataError } from '../fluent/errors.js';
import type { Logger } from '../log.js';
import type { Shard } from '../options/index.js';

/**
 * Customers per page of the account-wide listing: Fluent's cap on `first`, since large pages save requests on an
 * account of millions and the listing selects only four small fields per customer.
 */
export const MISSING_PAGE_SIZE = 5_000;

/** How the listing of missing customers ended, for report.json's `missing`. */
export interface MissingListing {
  complete: boolean;
  /** Why it is not complete: Fluent's pages could not be followed to their end. */
  reason?: string;
}

/**
 * Pages through every customer of the account (SPEC §2 `--report-missing`) and keeps in `missing` those of
 * `retailerId` whose username no row of the file holds (compared case-folded, like every username of the run).
 * With `--shard K/N` a shard keeps only the usernames of its own shard, so the shards' lists together name each
 * missing customer once. Calls `onCustomer` for every customer looked at. Fluent's pages that cannot be followed to
 * their end (a cursor that does not advance, more pages said with no cursor) end the list with a warning and
 * `complete: false` (SPEC §1). A request that fails past its retries, one Fluent refuses, or SIGINT/SIGTERM is the
 * run's abort reason instead (exit 3, the report written without missing.csv).
 */
export async function findMissingCustomers(input: {
  client: Pick<FluentClient, 'listCustomers'>;
  retailerId: string;
  shard: Shard | undefined;
  missing: Pick<MissingList, 'add'>;
  signal: AbortSignal;
  onCustomer: () => void;
  log: Pick<Logger, 'warn'>;
}): Promise<{ abortReason?: string; listing?: MissingListing }> {
  const { shard } = input;
  try {
    const listing = await input.client.listCustomers({
      pageSize: MISSING_PAGE_SIZE,
      onPage: (customers) => {
        const ours = customers.filter(
          (c) =>
            c.retailerId === input.retailerId &&
            (shard === undefined || shardOf(c.username, shard.count) === shard.index),
        );
        input.missing.add(ours.map(({ username, id, primaryEmail }) => ({ username, id, primaryEmail })));
        for (let i = 0; i < customers.length; i++) input.onCustomer();
        if (input.signal.aborted) {
          throw new AbortError(`stopped by ${String(input.signal.reason)} while listing the OMS's customers`);
        }
      },
    });
    if (listing.complete) return { listing: { complete: true } };
    const reason = listing.stopped ? 'the listing was stopped' : listing.warning;
    input.log.warn(`missing.csv may be incomplete: ${reason} while listing the OMS's customers`);
    return { listing: { complete: false, reason } };
  } catch (error) {
    if (!(error instanceof AbortError || error instanceof FluentDataError)) throw error;
    return { abortReason: `could not list the OMS's customers for --report-missing: ${error.message}` };
  }
}
