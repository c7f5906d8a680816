import { createRandom } from './createRandom.js';
import type { SandboxFaults } from './sandboxTypes.js';

/** The faults one GraphQL request meets, decided when it arrives. */
export interface FaultDecision {
  /** Answer 429 + Retry-After; nothing runs. */
  reject429: boolean;
  /** Answer this 5xx before executing; nothing runs. */
  failBefore: number | undefined;
  /** A mutation: run it, then destroy the socket with no answer. */
  cutAfterCommit: boolean;
  /** A mutation: run it, then answer this 5xx anyway. */
  failAfterCommit: number | undefined;
  /** A mutation: refuse it with a GraphQL error, as a data rule would; nothing runs. */
  refuseMutation: boolean;
}

export interface FaultInjector {
  faults(): SandboxFaults;
  /** Replaces the settings and restarts the PRNG from their seed, so a test can replay a sequence. */
  setFaults(faults: SandboxFaults): void;
  /** Draws the next request's faults. */
  decideFaults(): FaultDecision;
}

const BEFORE_CODES = [500, 502, 503, 504] as const;
const AFTER_CODES = [502, 503] as const;

/**
 * Decides faults for the sandbox. Every request draws the same seven numbers in the same order whatever the
 * settings, so the n-th request of a run meets the same faults on every run with the same seed, and turning one
 * kind of fault on does not shift the dice of another. The rate limit is createSandboxLimiter's: the clock's, not the
 * dice's.
 */
export function createFaultInjector(initial: SandboxFaults): FaultInjector {
  let current: SandboxFaults = { ...initial };
  let random = createRandom(current.seed ?? 1);

  function pick<T>(codes: readonly T[], draw: number): T {
    return codes[Math.min(codes.length - 1, Math.floor(draw * codes.length))] as T;
  }

  return {
    faults: () => ({ ...current }),
    setFaults(faults) {
      current = { ...faults };
      random = createRandom(current.seed ?? 1);
    },
    decideFaults() {
      const draws = [random(), random(), random(), random(), random(), random(), random()] as const;
      return {
        reject429: draws[0] < (current.random429Rate ?? 0),
        failBefore: draws[1] < (current.random5xxRate ?? 0) ? pick(BEFORE_CODES, draws[2]) : undefined,
        cutAfterCommit: draws[3] < (current.cutAfterCommitRate ?? 0),
        failAfterCommit: draws[4] < (current.random5xxAfterCommitRate ?? 0) ? pick(AFTER_CODES, draws[5]) : undefined,
        refuseMutation: draws[6] < (current.refuseMutationRate ?? 0),
      };
    },
  };
}
