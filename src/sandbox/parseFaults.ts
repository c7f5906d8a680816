import { lazySchema, type ZodIssue } from '../shared/loadZod.js';
import { firstIssue } from '../shared/readJsonFile.js';
import { compileDataRule, MAX_PATTERN_LENGTH } from './compileDataRule.js';
import type { SandboxFaults } from './sandboxTypes.js';

export type ParseFaultsResult = { ok: true; faults: SandboxFaults } | { ok: false; message: string };

const RATES = [
  'random429Rate',
  'random5xxRate',
  'random5xxAfterCommitRate',
  'cutAfterCommitRate',
  'refuseMutationRate',
] as const;
const NON_NEGATIVE = ['latencyMs', 'retryAfterSeconds'] as const;
const POSITIVE = ['rateLimitPerSecond', 'tokenLifetimeSeconds'] as const;

/** What each setting must be, in our words, by the setting. */
const EXPECTED: Record<string, string> = {
  ...Object.fromEntries(RATES.map((key) => [key, 'a number from 0 to 1'])),
  ...Object.fromEntries(NON_NEGATIVE.map((key) => [key, 'a number of at least 0'])),
  ...Object.fromEntries(POSITIVE.map((key) => [key, 'a number above 0'])),
  issueRefreshTokens: 'true or false',
  refuseUsernamePattern: `a regular expression of 1 to ${MAX_PATTERN_LENGTH} characters`,
  seed: 'a number',
};

/** The settings, each of its type and range (zod's numbers are finite); the pattern is compiled afterwards. */
const faultsSchema = lazySchema((z) =>
  z.strictObject({
    ...Object.fromEntries(RATES.map((key) => [key, z.number().min(0).max(1).optional()])),
    ...Object.fromEntries(NON_NEGATIVE.map((key) => [key, z.number().min(0).optional()])),
    ...Object.fromEntries(POSITIVE.map((key) => [key, z.number().positive().optional()])),
    issueRefreshTokens: z.boolean().optional(),
    refuseUsernamePattern: z.string().optional(),
    seed: z.number().optional(),
  }),
);

/**
 * Checks fault settings from an untrusted source (a JSON body, CLI flags, a test): rates within 0..1, times
 * and limits not negative, no unknown keys (a typo would otherwise silently test nothing).
 *
 * @returns the settings, copied, or a one-line message naming the bad field
 */
export function parseFaults(value: unknown): ParseFaultsResult {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return { ok: false, message: 'faults must be a JSON object' };
  }
  // No settings, nothing to check: a sandbox without faults starts without loading the schema library.
  if (Object.keys(value).length === 0) return { ok: true, faults: {} };
  const parsed = faultsSchema().safeParse(value);
  if (!parsed.success) return { ok: false, message: explainFaultIssue(parsed.error.issues) };
  const faults = Object.fromEntries(
    Object.entries(parsed.data).filter(([, setting]) => setting !== undefined),
  ) as SandboxFaults;
  if (faults.refuseUsernamePattern !== undefined) {
    // Checked as the sandbox will match it: in linear time, so no pattern can hold the sandbox (issue: ^(a|aa)+$).
    const rule = compileDataRule(faults.refuseUsernamePattern);
    if (!rule.ok) return { ok: false, message: rule.message };
  }
  return { ok: true, faults };
}

/** The first problem, in our words: an unknown setting first, as a typo is the likeliest mistake. */
function explainFaultIssue(issues: readonly ZodIssue[]): string {
  const issue = firstIssue(issues, 0);
  if (issue.code === 'unrecognized_keys') return `unknown fault setting '${issue.keys[0]}'`;
  const key = String(issue.path[0]);
  return `${key} must be ${EXPECTED[key]}`;
}
