import { shardOf } from '../check/shardOf.js';
import type { MissingList } from '../checkpoint/runJournal.js';
import { AbortError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import { FluentDataError } from '../fluent/errors.js';
import type { Shard } from '../options/index.js';

/**
 * Customers per page of the account-wide listing: large pages save requests on an account of millions, and the
 * listing selects only four small fields per customer.
 */
export const MISSING_PAGE_SIZE = 5_000;

/**
 * Pages through every customer of the account (SPEC §2 `--report-missing`) and keeps in `missing` those of
 * `retailerId` whose username no row of the file holds (compared case-folded, like every username of the run).
 * With `--shard K/N` a shard keeps only the usernames of its own shard, so the shards' lists together name each
 * missing customer once. Calls `onCustomer` for every customer looked at. A request that fails past its retries, a
 * loop in Fluent's pages or SIGINT/SIGTERM leaves the list incomplete: that is the run's abort reason (exit 3, the
 * report written without missing.csv), since a list that reads as complete would say customers are in the file.
 */
export async function findMissingCustomers(input: {
  client: Pick<FluentClient, 'listCustomers'>;
  retailerId: string;
  shard: Shard | undefined;
  missing: Pick<MissingList, 'add'>;
  signal: AbortSignal;
  onCustomer: () => void;
}): Promise<{ abortReason?: string }> {
  try {
    await listMissingCustomers(input);
    return {};
  } catch (error) {
    if (!(error instanceof AbortError || error instanceof FluentDataError)) throw error;
    return { abortReason: `could not list the OMS's customers for --report-missing: ${error.message}` };
  }
}

async function listMissingCustomers(input: Parameters<typeof findMissingCustomers>[0]): Promise<void> {
  const { shard } = input;
  let after: string | undefined;
  const cursors = new Set<string>();
  do {
    const page = await input.client.listCustomers({ first: MISSING_PAGE_SIZE, after });
    const ours = page.customers.filter(
      (c) =>
        c.retailerId === input.retailerId && (shard === undefined || shardOf(c.username, shard.count) === shard.index),
    );
    input.missing.add(ours.map(({ username, id, primaryEmail }) => ({ username, id, primaryEmail })));
    for (let i = 0; i < page.customers.length; i++) input.onCustomer();
    after = page.next;
    // An incomplete list would read as complete: a customer left off it would seem to be in the file.
    if (input.signal.aborted) {
      throw new AbortError(`stopped by ${String(input.signal.reason)} while listing the OMS's customers`);
    }
    if (after !== undefined && cursors.has(after)) {
      throw new FluentDataError('Fluent gave a cursor it had given before while listing customers: the pages loop');
    }
    if (after !== undefined) cursors.add(after);
  } while (after !== undefined);
}
