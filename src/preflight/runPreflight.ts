import { UsageError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import type { Logger } from '../log.js';
import type { UniquenessScope, WriteMode } from '../types.js';
import { checkAccount } from './checkAccount.js';

/**
 * The preflight of a sync or dry run, before the first lookup of a row (SPEC §2): the account checks of
 * `checkAccount`. A finding that makes the run unsafe (a missing permission, a login scoped to retailers without
 * --allow-scoped-login, an unknown retailer) is a UsageError (exit 2) with one line saying what to do; a check that
 * could not be made is a warning. Returns across what usernames are checked, for report.json.
 */
export async function runPreflight(
  client: Pick<FluentClient, 'readLogin' | 'findRetailer' | 'listRetailers'>,
  input: {
    retailerId: string;
    dryRun: boolean;
    allowScopedLogin: boolean;
    /** `--mode`, which decides whether creates and updates need their permissions. */
    writeMode?: WriteMode | undefined;
    log: Logger;
  },
): Promise<UniquenessScope> {
  const { lines, uniqueness } = await checkAccount(client, input);
  const failed = lines.find((line) => line.status === 'fail');
  if (failed) throw new UsageError(failed.message);
  for (const line of lines) if (line.status === 'warn') input.log.warn(line.message);
  return uniqueness;
}
