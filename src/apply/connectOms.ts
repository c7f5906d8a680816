import { shareOfRate } from '../check/shareOfRate.js';
import { UsageError } from '../errors.js';
import type { FluentClient } from '../fluent/createFluentClient.js';
import type { Credentials } from '../fluent/credentials.js';
import type { Logger } from '../log.js';
import type { ResolvedOptions } from '../options/index.js';
import type { SeedCustomer } from '../sandbox/sandboxTypes.js';
import type { Scrubber } from '../shared/createScrubber.js';

/** Credentials the in-process sandbox accepts (it takes any non-empty values). */
const SANDBOX_LOGIN: Credentials = {
  kind: 'password',
  clientId: 'in-process-sandbox-client',
  clientSecret: 'in-process-sandbox-secret',
  username: 'in-process-sandbox-user',
  password: 'in-process-sandbox-password',
};

export interface OmsConnection {
  client: FluentClient;
  /** The base URL the client talks to (the in-process sandbox's, with --sandbox). */
  apiHost: string;
  close(): Promise<void>;
}

/** Fails fast, before anything is read or sent, when a sync has no credentials to log in with. */
export function checkCredentials(options: ResolvedOptions, credentials: Credentials | undefined): void {
  if (options.command !== 'validate' && !options.sandbox && !credentials) {
    throw new UsageError(
      'no Fluent credentials: set FLUENT_CLIENT_ID, FLUENT_CLIENT_SECRET, FLUENT_USERNAME and FLUENT_PASSWORD (or FLUENT_ACCESS_TOKEN)',
    );
  }
}

/**
 * The Fluent client for a run: against `--api-host` with the env credentials, or (`--sandbox`) against an
 * in-process sandbox OMS loaded with `seed`, so a newcomer sees the whole job with no Fluent account.
 */
export async function connectOms(
  options: ResolvedOptions,
  deps: {
    credentials: Credentials | undefined;
    accountId: string | undefined;
    /** Learns every token the client is granted, so no output can show one. */
    scrubber: Scrubber;
    seed?: SeedCustomer[];
    log: Logger;
  },
): Promise<OmsConnection> {
  // Loaded on demand: undici and graphql-js cost a tenth of a second at start-up that `validate` never needs.
  const { createFluentClient } = await import('../fluent/createFluentClient.js');
  // The sandbox (and graphql-js with its schema files) only for --sandbox.
  const sandbox = options.sandbox
    ? await (await import('../sandbox/startSandbox.js')).startSandbox({ port: 0, seed: deps.seed })
    : undefined;
  if (sandbox) {
    deps.log.info(
      `sandbox OMS started at ${sandbox.url}${deps.seed ? ` with ${deps.seed.length} seeded customers` : ''}`,
    );
  }
  const apiHost = sandbox?.url ?? options.apiHost;
  const credentials = sandbox ? SANDBOX_LOGIN : deps.credentials;
  if (!apiHost || !credentials) throw new Error('connectOms needs an API host and credentials (checked earlier)');
  const ratePerSecond = shareOfRate(options.rate, options.shard);
  if (options.shard && ratePerSecond !== 'auto') {
    const { index, count } = options.shard;
    deps.log.info(
      `shard ${index}/${count}: --rate ${options.rate} is the budget of all ${count} shards, so this one sends at most ${Math.round(ratePerSecond * 100) / 100} requests/s`,
    );
  }
  const client = createFluentClient({
    apiHost,
    credentials,
    accountId: deps.accountId,
    ratePerSecond,
    connections: options.concurrency,
    scrubber: deps.scrubber,
    onRetry: (e) => deps.log.debug('retrying a request', { ...e }),
  });
  return {
    client,
    apiHost,
    async close() {
      await client.close();
      await sandbox?.close();
    },
  };
}
