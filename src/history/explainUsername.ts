import type { RunHistory, RunRecord, UsernameRow, UsernameState } from '../checkpoint/runHistory.js';
import { escapeControl } from '../escapeControl.js';
import type { FieldChange } from '../types.js';
import { usernameKey } from '../usernameKey.js';

/** Everything the checkpoint knows about one customer: what each kept run did with it and why, and the sync state. */
export interface Explanation {
  username: string;
  state: UsernameState[];
  pending: { apiHost: string; retailerId: string; runId: string; kind: string }[];
  runs: (Pick<RunRecord, 'runId' | 'mode' | 'status' | 'startedAt' | 'retailerId' | 'inputPath'> &
    Pick<UsernameRow, 'row' | 'line' | 'outcome' | 'reason' | 'changedFields'> & {
      spelled: string;
      changes: FieldChange[];
    })[];
}

/**
 * `explain USERNAME` (SPEC §2): what every run kept in the checkpoint did with that customer, and why — its row and
 * line, outcome, reason and field changes — plus what the sync state holds now. Usernames are matched without regard
 * to case, as uniqueness is.
 */
export function explainUsername(history: RunHistory, username: string): Explanation {
  const key = usernameKey(username);
  const { known, pending } = history.stateOf(key);
  const runs = new Map(history.listRuns().map((run) => [run.runId, run]));
  return {
    username,
    state: known,
    pending,
    runs: history.rowsOf(key).flatMap((row) => {
      const run = runs.get(row.runId);
      if (!run) return [];
      return [
        {
          runId: run.runId,
          mode: run.mode,
          status: run.status,
          startedAt: run.startedAt,
          retailerId: run.retailerId,
          inputPath: run.inputPath,
          row: row.row,
          line: row.line,
          outcome: row.outcome,
          reason: row.reason,
          changedFields: row.changedFields,
          spelled: row.username,
          changes:
            row.outcome === 'created' || row.outcome === 'updated' ? history.diffsOf(row.runId, row.username) : [],
        },
      ];
    }),
  };
}

/** The explanation as text for a support lead: newest run first, one paragraph each. */
export function formatExplanation(explanation: Explanation): string {
  const out: string[] = [];
  if (explanation.runs.length === 0 && explanation.state.length === 0) {
    return `no run kept in this checkpoint has seen ${show(explanation.username)} (runs older than --keep-runs are pruned)\n`;
  }
  for (const state of explanation.state) {
    out.push(
      `${show(state.username)} on ${show(state.apiHost)}, retailer ${state.retailerId}: customer id ${state.omsId ?? 'unknown'}, last applied by run ${state.appliedRun} at ${state.appliedAt}${state.hashKnown ? '' : ' (the next run looks it up again)'}`,
    );
  }
  for (const mark of explanation.pending) {
    out.push(
      `a ${mark.kind} by run ${mark.runId} was in flight when that run stopped; the next run resolves it by lookup`,
    );
  }
  for (const run of explanation.runs) {
    const why = run.reason ? ` — ${show(run.reason)}` : '';
    out.push(
      `${run.startedAt} run ${run.runId} (${run.mode}, ${run.status}${run.retailerId ? `, retailer ${run.retailerId}` : ''}): row ${run.row} (line ${run.line}) of ${show(run.inputPath)} as ${show(run.spelled)}: ${run.outcome ?? 'not decided (the run stopped)'}${why}`,
    );
    for (const change of run.changes) {
      out.push(`    ${change.field}: ${showValue(change.before)} → ${showValue(change.after)}`);
    }
  }
  return `${out.join('\n')}\n`;
}

function show(text: string): string {
  return escapeControl(text);
}

function showValue(value: string | boolean | null): string {
  return value === null ? '(none)' : typeof value === 'boolean' ? String(value) : `"${show(value)}"`;
}
