/**
 * The variants of Fluent's behaviour its documentation leaves open or documents without a number, as the sandbox can
 * play them (SPEC §6): how the rate limit counts, whether a refusal says when to come back, where an error's code
 * stands, how pages misbehave, and the documented query limits.
 */
import { UsageError } from '../errors.js';

/**
 * How `rateLimitPerSecond` counts requests:
 * - `rolling`: at most N in any 1 s (the default);
 * - `window`: at most N per clock second, counted afresh at each whole second;
 * - `bucket`: a token bucket refilled at N/s holding N (a burst of N after a quiet spell);
 * - `penalty`: at most N in any 1 s, and once over it everything is refused for `penaltyMs`.
 */
export const RATE_LIMIT_SHAPES = ['rolling', 'window', 'bucket', 'penalty'] as const;
export type RateLimitShape = (typeof RATE_LIMIT_SHAPES)[number];

/**
 * How pages of a connection misbehave (`--page-faults`), each as Fluent's real API may:
 * - `repeat`: every page after the first starts with the last edge of the page before again;
 * - `stall`: repeat, and the third page ends with the cursor it was asked after (the cursor does not advance);
 * - `no-cursor`: repeat, and the third page says more follow but its edges carry no cursor.
 */
export const PAGE_FAULTS = ['repeat', 'stall', 'no-cursor'] as const;
export type PageFaultKind = (typeof PAGE_FAULTS)[number];

export interface SandboxVariants {
  /** Default rolling. */
  rateLimitShape?: RateLimitShape;
  /** With the `penalty` shape: how long everything is refused once over the limit; default 20 000. */
  penaltyMs?: number;
  /** Refusals for the rate carry no Retry-After (Fluent documents none). */
  noRetryAfter?: boolean;
  /** An error's code only at the start of its message, with no colon and no `extensions.code` (`C0011E Rate …`). */
  bareErrorCodes?: boolean;
  pageFaults?: PageFaultKind;
  /** The query complexity above which Fluent answers C0001E; default 11,111, as documented. */
  maxComplexity?: number;
  /**
   * The largest `first` a connection answers, larger ones clamped to it: 1 to 5000, default 5000 as documented. A
   * stricter account could clamp lower; it also makes pages of a listing cheap to play in tests.
   */
  maxFirst?: number;
}

/** Every variant with its default filled in. */
export interface ResolvedVariants {
  rateLimitShape: RateLimitShape;
  penaltyMs: number;
  noRetryAfter: boolean;
  bareErrorCodes: boolean;
  pageFaults: PageFaultKind | undefined;
  maxComplexity: number;
  maxFirst: number;
}

/** Fluent's documented maximum total query complexity ("GraphQL Query Limits"). */
export const FLUENT_MAX_COMPLEXITY = 11_111;
/** Fluent's documented cap on `first` ("GraphQL Query Limits"). */
export const FLUENT_MAX_FIRST = 5000;
const DEFAULT_PENALTY_MS = 20_000;

/**
 * Checks the variants and fills in their defaults.
 *
 * @throws UsageError with a one-line message naming the bad setting
 */
export function resolveSandboxVariants(options: SandboxVariants): ResolvedVariants {
  const shape = options.rateLimitShape ?? 'rolling';
  if (!RATE_LIMIT_SHAPES.includes(shape)) {
    throw new UsageError(`the sandbox rate limit shape must be one of ${RATE_LIMIT_SHAPES.join(', ')}`);
  }
  const penaltyMs = options.penaltyMs ?? DEFAULT_PENALTY_MS;
  if (!Number.isFinite(penaltyMs) || penaltyMs < 0) {
    throw new UsageError('the sandbox penalty must be a number of milliseconds of at least 0');
  }
  if (options.pageFaults !== undefined && !PAGE_FAULTS.includes(options.pageFaults)) {
    throw new UsageError(`the sandbox page faults must be one of ${PAGE_FAULTS.join(', ')}`);
  }
  const maxComplexity = options.maxComplexity ?? FLUENT_MAX_COMPLEXITY;
  if (!Number.isFinite(maxComplexity) || maxComplexity < 1) {
    throw new UsageError('the sandbox query complexity limit must be a number of at least 1');
  }
  const maxFirst = options.maxFirst ?? FLUENT_MAX_FIRST;
  if (!Number.isInteger(maxFirst) || maxFirst < 1 || maxFirst > FLUENT_MAX_FIRST) {
    throw new UsageError(`the sandbox's largest page (maxFirst) must be a whole number from 1 to ${FLUENT_MAX_FIRST}`);
  }
  return {
    rateLimitShape: shape,
    penaltyMs,
    noRetryAfter: options.noRetryAfter === true,
    bareErrorCodes: options.bareErrorCodes === true,
    pageFaults: options.pageFaults,
    maxComplexity,
    maxFirst,
  };
}
