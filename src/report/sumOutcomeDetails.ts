import { CONFLICT_KINDS, type ConflictKind } from '../types.js';
import type { ReportSummary } from './reportTypes.js';

/**
 * The shards' conflicts by kind and values not taken as sent by field, added up for a merged report (`report
 * --merge`), each when every shard has it (a report of an earlier release has neither). A shard's report.json is read
 * from disk: only counts that are whole numbers are added.
 */
export function sumOutcomeDetails(
  summaries: readonly Pick<ReportSummary, 'conflicts' | 'notTakenAsSent'>[],
): Pick<ReportSummary, 'conflicts' | 'notTakenAsSent'> {
  const summed: Pick<ReportSummary, 'conflicts' | 'notTakenAsSent'> = {};
  if (summaries.every((s) => isCounts(s.conflicts))) {
    const conflicts = Object.fromEntries(CONFLICT_KINDS.map((kind) => [kind, 0])) as Record<ConflictKind, number>;
    for (const s of summaries) for (const kind of CONFLICT_KINDS) conflicts[kind] += countOf(s.conflicts?.[kind]);
    summed.conflicts = conflicts;
  }
  if (summaries.every((s) => isCounts(s.notTakenAsSent))) {
    const byField = new Map<string, number>();
    for (const s of summaries) {
      for (const [field, n] of Object.entries(s.notTakenAsSent ?? {})) {
        byField.set(field, (byField.get(field) ?? 0) + countOf(n));
      }
    }
    const sorted = [...byField].sort(([a, m], [b, n]) => n - m || (a < b ? -1 : a > b ? 1 : 0));
    summed.notTakenAsSent = Object.fromEntries(sorted);
  }
  return summed;
}

function isCounts(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function countOf(value: unknown): number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0 ? value : 0;
}
