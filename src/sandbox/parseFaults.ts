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
const KNOWN = new Set<string>([
  ...RATES,
  ...NON_NEGATIVE,
  ...POSITIVE,
  'issueRefreshTokens',
  'seed',
  'refuseUsernamePattern',
]);

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
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) {
    if (!KNOWN.has(key)) return { ok: false, message: `unknown fault setting '${key}'` };
  }
  const faults: SandboxFaults = {};
  for (const key of RATES) {
    const rate = record[key];
    if (rate === undefined) continue;
    if (typeof rate !== 'number' || !(rate >= 0 && rate <= 1)) {
      return { ok: false, message: `${key} must be a number from 0 to 1` };
    }
    faults[key] = rate;
  }
  for (const key of NON_NEGATIVE) {
    const amount = record[key];
    if (amount === undefined) continue;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount < 0) {
      return { ok: false, message: `${key} must be a number of at least 0` };
    }
    faults[key] = amount;
  }
  for (const key of POSITIVE) {
    const amount = record[key];
    if (amount === undefined) continue;
    if (typeof amount !== 'number' || !Number.isFinite(amount) || amount <= 0) {
      return { ok: false, message: `${key} must be a number above 0` };
    }
    faults[key] = amount;
  }
  if (record.issueRefreshTokens !== undefined) {
    if (typeof record.issueRefreshTokens !== 'boolean') {
      return { ok: false, message: 'issueRefreshTokens must be true or false' };
    }
    faults.issueRefreshTokens = record.issueRefreshTokens;
  }
  if (record.refuseUsernamePattern !== undefined) {
    const pattern = record.refuseUsernamePattern;
    // Checked as the sandbox will match it: in linear time, so no pattern can hold the sandbox (issue: ^(a|aa)+$).
    const rule = typeof pattern === 'string' ? compileDataRule(pattern) : undefined;
    if (rule === undefined) {
      return {
        ok: false,
        message: `refuseUsernamePattern must be a regular expression of 1 to ${MAX_PATTERN_LENGTH} characters`,
      };
    }
    if (!rule.ok) return { ok: false, message: rule.message };
    faults.refuseUsernamePattern = pattern as string;
  }
  if (record.seed !== undefined) {
    if (typeof record.seed !== 'number' || !Number.isFinite(record.seed)) {
      return { ok: false, message: 'seed must be a number' };
    }
    faults.seed = record.seed;
  }
  return { ok: true, faults };
}
