import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { emptyTotals } from '../../src/report/countOutcomes.js';
import type { ReportContent, ReportSummary } from '../../src/report/reportTypes.js';
import { createScrubber } from '../../src/shared/createScrubber.js';
import type { DiffLine, FieldChange, OutcomeKind, RowOutcome, RunMode, RunTotals } from '../../src/types.js';

/** Totals with the given outcome counts and `read` as their sum, so the invariant holds. */
export function someTotals(counts: Partial<Record<OutcomeKind, number>>): RunTotals {
  const totals = emptyTotals();
  for (const [kind, count] of Object.entries(counts) as [OutcomeKind, number][]) {
    totals[kind] = count;
    totals.read += count;
  }
  return totals;
}

export function aSummary(overrides: Partial<ReportSummary> = {}): ReportSummary {
  return {
    runId: '20240501-020000-ab12',
    mode: 'dry-run',
    startedAt: '2024-05-01T02:00:00.000Z',
    finishedAt: '2024-05-01T02:02:13.000Z',
    input: { path: 'exports/legacy-crm.csv', sha256: 'a'.repeat(64), bytes: 123_456 },
    options: { retailerId: '1', rate: 10, onDuplicate: 'reject' },
    totals: someTotals({}),
    requests: { graphql: 25, retries: 2, rateLimited: 1, effectiveRate: 9.8 },
    durationMs: 133_000,
    status: 'completed',
    unmappedColumns: ['CRM_ID'],
    delimiter: ',',
    ...overrides,
  };
}

export function anOutcome(row: number, outcome: OutcomeKind, overrides: Partial<RowOutcome> = {}): RowOutcome {
  return {
    row,
    line: row + 1,
    username: `1_user${row}@example.com`,
    outcome,
    reason: outcome === 'rejected' ? `primaryEmail "user${row}@" is not valid` : '',
    changedFields: [],
    customerId: '',
    ...overrides,
  };
}

/** A report whose totals are counted from `outcomes`, so they always agree. */
export function aReport(
  mode: RunMode,
  outcomes: RowOutcome[],
  overrides: Partial<Omit<ReportContent, 'summary'>> & { summary?: Partial<ReportSummary> } = {},
): ReportContent {
  const counts: Partial<Record<OutcomeKind, number>> = {};
  for (const outcome of outcomes) counts[outcome.outcome] = (counts[outcome.outcome] ?? 0) + 1;
  const diffs: DiffLine[] = [];
  return {
    header: ['email', 'first_name', 'phone'],
    phoneColumns: new Set([2]),
    outcomes: () => outcomes,
    rejects: () => [],
    diffs: () => diffs,
    review: () => [],
    throughput: [],
    ...overrides,
    summary: aSummary({ mode, totals: someTotals(counts), ...overrides.summary }),
  };
}

/** A fresh temp dir and a cleanup for afterEach. */
export function aTempDir(): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-sync-report-'));
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/** writeReport's options for a run with no secrets to mask. */
export const noSecrets = { scrubber: createScrubber() };

/** A diff line as the journal gives it: the change, with the file's cell (the written value unless given). */
export function aDiff(change: FieldChange, input?: string): DiffLine {
  return { ...change, input: input ?? (change.after === null ? '' : String(change.after)) };
}
