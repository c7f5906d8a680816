import crypto from 'node:crypto';
import { request } from 'undici';
import { checkCredentials, connectOms, type OmsConnection } from '../apply/connectOms.js';
import { AbortError, UsageError } from '../errors.js';
import type { Credentials } from '../fluent/credentials.js';
import type { Logger } from '../log.js';
import type { ResolvedOptions } from '../options/index.js';
import { type CheckLine, checkAccount } from '../preflight/checkAccount.js';
import { loadSeed } from '../sandbox/loadSeed.js';
import type { Scrubber } from '../shared/createScrubber.js';
import { escapeControl } from '../shared/escapeControl.js';
import { describeProbe } from './describeProbe.js';
import { PROBE_BOUNDS, probeRate } from './probeRate.js';

export interface DoctorDependencies {
  log: Logger;
  /** Where the check lines go (stdout). */
  out: NodeJS.WritableStream;
  credentials: Credentials | undefined;
  accountId: string | undefined;
  scrubber: Scrubber;
  now?: () => number;
}

/** How long reaching the host may take before it counts as unreachable. */
const REACH_TIMEOUT_MS = 10_000;

/**
 * `customer-sync doctor` (SPEC §2): every check a sync depends on, one line each, with what to do on failure, and no
 * write of any kind: reaching the host, the token grant, the login's roles, permissions and reach (`me`), the retailer
 * (`retailerById`), and a timed lookup. Exit 0 only when a sync can run safely (warnings allowed), 3 when the host or
 * the credentials fail (as a sync would abort), 2 for anything about the account or the options.
 *
 * `--probe-rate` then finds the account's rate limit with lookups only (probeRate: bounded in time and requests) and
 * prints the `--rate` and `--batch` to use. The whole doctor then paces as `--rate auto` does, since the probe's
 * answer is what the client's adaptive rate learns.
 */
export async function runDoctor(options: ResolvedOptions, deps: DoctorDependencies): Promise<0 | 2 | 3> {
  const now = deps.now ?? Date.now;
  const lines: CheckLine[] = [];
  const say = (line: CheckLine) => {
    lines.push(line);
    const text = `${line.status.padEnd(5)} ${line.check.padEnd(11)} ${line.message}`;
    deps.out.write(`${escapeControl(deps.scrubber.scrub(text))}\n`);
  };
  const timed = async <T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> => {
    const started = now();
    const value = await work();
    return { value, ms: Math.round(now() - started) };
  };
  const finish = (code: 0 | 2 | 3): 0 | 2 | 3 => {
    const failed = lines.filter((line) => line.status === 'fail').length;
    const warned = lines.filter((line) => line.status === 'warn').length;
    deps.out.write(
      code === 0
        ? `doctor: a sync can run safely${warned > 0 ? ` (${warned} warning${warned === 1 ? '' : 's'})` : ''}\n`
        : `doctor: a sync cannot run safely: ${failed} check${failed === 1 ? '' : 's'} failed\n`,
    );
    return code;
  };

  try {
    checkCredentials(options, deps.credentials);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    say({ check: 'credentials', status: 'fail', message: error.message });
    return finish(2);
  }
  const seed = options.sandbox && options.sandboxSeed ? loadSeed(options.sandboxSeed) : undefined;
  let oms: OmsConnection | undefined;
  try {
    // The probe's lookups go out many at once, at the rate the client finds (--rate auto).
    const connectWith = options.probeRate
      ? { ...options, rate: 'auto' as const, concurrency: Math.max(options.concurrency, PROBE_BOUNDS.inFlight) }
      : options;
    oms = await connectOms(connectWith, { ...deps, seed });
    const { client } = oms;

    const reached = await timed(() => reachHost(oms?.apiHost ?? ''));
    if (typeof reached.value === 'string') {
      say({
        check: 'host',
        status: 'fail',
        message: `cannot reach ${oms.apiHost} (${reached.value}); check --api-host, DNS, any proxy and the network`,
      });
      return finish(3);
    }
    say({ check: 'host', status: 'ok', message: `${oms.apiHost} answered in ${reached.ms} ms` });

    try {
      const granted = await timed(() => client.authenticate());
      say({
        check: 'token',
        status: 'ok',
        message: deps.credentials?.kind === 'token' || options.sandbox ? 'ready' : `granted in ${granted.ms} ms`,
      });
    } catch (error) {
      // A host that is not Fluent's (a 404) is the options' fault (2); refused credentials are the run's abort (3).
      if (!(error instanceof AbortError) && !(error instanceof UsageError)) throw error;
      say({ check: 'token', status: 'fail', message: error.message });
      return finish(error instanceof UsageError ? 2 : 3);
    }

    const retailerId = options.retailerId ?? '';
    const account = await checkAccount(client, {
      retailerId,
      dryRun: options.dryRun,
      allowScopedLogin: options.allowScopedLogin,
      writeMode: options.mode,
    });
    for (const line of account.lines) say(line);

    let lookupMs: number | undefined;
    try {
      // A name no customer has: the lookup's cost without touching anyone's data.
      const probe = `customer-sync-doctor-${crypto.randomBytes(6).toString('hex')}`;
      const looked = await timed(() => client.findCustomers([probe]));
      lookupMs = looked.ms;
      say({
        check: 'lookup',
        status: 'ok',
        message: `a username lookup answered in ${looked.ms} ms (${
          options.rate === 'auto'
            ? 'a sync finds the OMS rate limit itself, --rate auto'
            : `a sync sends at most ${options.rate} requests/s, --rate`
        })`,
      });
    } catch (error) {
      if (!(error instanceof AbortError)) throw error;
      say({ check: 'lookup', status: 'fail', message: error.message });
    }
    const batchLine = options.batch > 1 ? await checkBatch(client, options.batch) : undefined;
    if (batchLine) say(batchLine);
    if (options.probeRate && lookupMs !== undefined && !lines.some((line) => line.status === 'fail')) {
      for (const line of await probeLines(client, { batchLine, lookupMs, concurrency: options.concurrency, now }))
        say(line);
    }
    return finish(lines.some((line) => line.status === 'fail') ? 2 : 0);
  } finally {
    await oms?.close();
  }
}

/** `--probe-rate`: the probe and what it found, or why it could not finish (the OMS unreachable, a permission). */
async function probeLines(
  client: OmsConnection['client'],
  context: { batchLine: CheckLine | undefined; lookupMs: number; concurrency: number; now: () => number },
): Promise<CheckLine[]> {
  // The batch to suggest needs Fluent to answer aliased fields one by one, asked the dry way.
  const aliasesAnswered = (context.batchLine ?? (await checkBatch(client, 2))).status === 'ok';
  try {
    const probe = await probeRate(client, { now: context.now });
    return describeProbe(probe, { ...context, bounds: PROBE_BOUNDS, aliasesAnswered });
  } catch (error) {
    if (!(error instanceof AbortError)) throw error;
    return [{ check: 'rate probe', status: 'fail', message: error.message }];
  }
}

/**
 * `--batch N`: whether Fluent answers aliased fields one by one, as a batch of mutations needs, asked the dry way (two
 * lookups aliased in one request: nothing is written). A refusal is a warning, not a failure: a sync whose batch
 * Fluent refuses as a whole sends those rows one by one instead.
 */
async function checkBatch(client: OmsConnection['client'], batch: number): Promise<CheckLine> {
  try {
    const answer = await client.probeAliases();
    if (answer.ok) {
      return {
        check: 'batch',
        status: 'ok',
        message: `Fluent answered two aliased lookups in one request; --batch ${batch} sends up to ${batch} creates/updates per request`,
      };
    }
    return {
      check: 'batch',
      status: 'warn',
      message: `aliased requests may not work here (${answer.reason}); run with --batch 1 (a sync whose batch is refused as a whole sends its rows one by one)`,
    };
  } catch (error) {
    if (!(error instanceof AbortError)) throw error;
    return { check: 'batch', status: 'fail', message: error.message };
  }
}

/** Any HTTP answer means the host is reached; a network failure is returned as a short phrase. */
async function reachHost(apiHost: string): Promise<true | string> {
  try {
    const response = await request(apiHost, {
      method: 'GET',
      headersTimeout: REACH_TIMEOUT_MS,
      bodyTimeout: REACH_TIMEOUT_MS,
      signal: AbortSignal.timeout(REACH_TIMEOUT_MS),
    });
    await response.body.dump();
    return true;
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    return code ?? message;
  }
}
