import type { SandboxOptions, SeedCustomer } from '../sandbox/sandboxTypes.js';
import type { SandboxHandle } from './apiTypes.js';

/** createSandbox's options: the sandbox's (SPEC §6), the seed as customers or the path of a seed file. */
export type CreateSandboxOptions = Omit<SandboxOptions, 'seed'> & { seed?: readonly SeedCustomer[] | string };

/**
 * The sandbox OMS (SPEC §6) for a program's own tests: a local Fluent-compatible OMS on 127.0.0.1 (`port` 0, the
 * default, takes any free one) with an in-memory store, per-retailer username uniqueness, Fluent's paging, limits and
 * error codes, and the faults and stricter-account variants the command line's `sandbox` offers. It accepts any
 * non-empty credentials unless given `credentials`. Loaded on demand: a program that never calls it never loads it.
 *
 * @throws UsageError for a bad setting, a seed that is not one, or a port in use
 */
export async function createSandbox(options: CreateSandboxOptions = {}): Promise<SandboxHandle> {
  const { startSandbox } = await import('../sandbox/startSandbox.js');
  const { seed, ...rest } = options;
  const customers =
    typeof seed === 'string' ? (await import('../sandbox/loadSeed.js')).loadSeed(seed) : seed && [...seed];
  const sandbox = await startSandbox({ ...rest, seed: customers });
  return {
    url: sandbox.url,
    port: sandbox.port,
    stop: () => sandbox.close(),
    customers: () => sandbox.customers(),
    stats: () => sandbox.stats(),
    setFaults: (faults) => sandbox.setFaults(faults),
  };
}
