import type { RunHistory, RunRecord, UsernameRow, UsernameState } from '../checkpoint/runHistory.js';
import type { InputContext } from '../checkpoint/runJournal.js';
import { normaliseText } from '../normalise/normaliseText.js';
import { splitRowIdentity } from '../report/rowIdentity.js';
import { escapeControl } from '../shared/escapeControl.js';
import { usernameKey } from '../shared/usernameKey.js';
import type { FieldChange } from '../types.js';

/** Rows an explanation lists at most: a value many rows share (a country, a tier) must not list a whole file. */
export const EXPLAIN_ROW_LIMIT = 1_000;

/** Everything the checkpoint knows about one customer: what each kept run did with it and why, and the sync state. */
export interface Explanation {
  /** What was asked for: a username, an email or a key column's value. */
  username: string;
  state: UsernameState[];
  pending: { apiHost: string; retailerId: string; runId: string; kind: string }[];
  runs: (Pick<RunRecord, 'runId' | 'mode' | 'status' | 'startedAt' | 'retailerId' | 'inputPath'> &
    Pick<UsernameRow, 'row' | 'line' | 'outcome' | 'reason' | 'changedFields'> & {
      spelled: string;
      /** How the row was found: `username`, or the field or column whose cell holds the value asked for. */
      foundBy: string;
      changes: FieldChange[];
    })[];
  /** More rows matched than EXPLAIN_ROW_LIMIT: only the newest are listed. */
  truncated: boolean;
  /** How the kept runs made usernames, newest first, one entry per way and retailer: what to ask for instead. */
  usernames: UsernameRule[];
}

/** How runs of one retailer made usernames: `--username-template` or a username column. */
export interface UsernameRule {
  retailerId: string | null;
  template?: string;
  column?: string;
  /** What the template makes of the value asked for, when it is an email and the template needs no other field. */
  example?: string;
}

/**
 * `explain <username|email|key>` (SPEC §2): what every run kept in the checkpoint did with that customer, and why —
 * its row and line, outcome, reason and field changes — plus what the sync state holds now. A row is found by its
 * username (without regard to case, as uniqueness is), or by the value of its email, username, key (`{column:…}` of
 * the template) or attribute column, compared as normalised text without regard to case: so rows rejected before a
 * username could be made are found too. With nothing found, the explanation says how the kept runs made usernames.
 */
export function explainUsername(history: RunHistory, asked: string): Explanation {
  const text = normaliseText(asked);
  const key = usernameKey(text);
  const wanted = text.toLowerCase();
  const listed = history.listRuns();
  const byId = new Map(listed.map((run) => [run.runId, run]));
  const matched = history.rowsMatching(key, text, EXPLAIN_ROW_LIMIT + 1);
  const runs: Explanation['runs'] = [];
  const keys = new Set([key]);
  for (const row of matched.slice(0, EXPLAIN_ROW_LIMIT)) {
    const run = byId.get(row.runId);
    if (!run) continue;
    const foundBy = row.byUsername ? 'username' : columnHolding(run, row.cells, wanted);
    if (foundBy === undefined) continue;
    if (row.username !== '') keys.add(usernameKey(row.username));
    runs.push({
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
      foundBy,
      changes: row.outcome === 'created' || row.outcome === 'updated' ? history.diffsOf(row.runId, row.username) : [],
    });
  }
  const state: UsernameState[] = [];
  const pending: Explanation['pending'] = [];
  for (const each of keys) {
    const found = history.stateOf(each);
    state.push(...found.known);
    pending.push(...found.pending);
  }
  return {
    username: asked,
    state,
    pending,
    runs,
    truncated: matched.length > EXPLAIN_ROW_LIMIT,
    usernames: usernameRules(listed, text),
  };
}

/** The name of the column of `run` whose cell, as normalised text without regard to case, is `wanted`. */
function columnHolding(run: RunRecord, cells: readonly string[], wanted: string): string | undefined {
  const context = (run.context ?? {}) as InputContext;
  const columns: [string, number | undefined][] = [
    ['primaryEmail', context.fieldColumns?.primaryEmail],
    ['username', context.fieldColumns?.username],
    ...(context.keyColumns ?? []).map((column): [string, number] => [context.header?.[column] ?? 'key', column]),
    ...Object.entries(context.fieldColumns ?? {}).filter(([field]) => field.startsWith('attributes.')),
  ];
  for (const [name, column] of columns) {
    if (column === undefined) continue;
    const cell = cells[column];
    if (cell !== undefined && normaliseText(cell).toLowerCase() === wanted) return name;
  }
  return undefined;
}

/** How the kept runs made usernames, from what each recorded (a run of an earlier release: its options). */
function usernameRules(runs: readonly RunRecord[], asked: string): UsernameRule[] {
  const rules = new Map<string, UsernameRule>();
  for (const run of runs) {
    const context = (run.context ?? {}) as InputContext;
    // An undo makes no usernames: it puts back those of the run it undoes.
    if (context.undoOf !== undefined) continue;
    const options = (run.summary as { options?: { usernameTemplate?: unknown } } | null)?.options;
    const made =
      context.usernames ??
      (typeof options?.usernameTemplate === 'string' ? { template: options.usernameTemplate } : undefined);
    if (!made) continue;
    const rule: UsernameRule =
      'template' in made
        ? { retailerId: run.retailerId, template: made.template, ...exampleOf(made.template, run.retailerId, asked) }
        : { retailerId: run.retailerId, column: made.column };
    const id = JSON.stringify([rule.retailerId, rule.template, rule.column]);
    if (!rules.has(id)) rules.set(id, rule);
  }
  return [...rules.values()];
}

/** `{retailerId}_{primaryEmail}` with retailer 1 and `Jane@Example.com` → `1_jane@example.com`. */
function exampleOf(template: string, retailerId: string | null, asked: string): { example?: string } {
  const email = asked.includes('@') ? asked.toLowerCase() : '…';
  let example = template.replaceAll('{retailerId}', retailerId ?? '…').replaceAll('{primaryEmail}', email);
  example = example.replace(/\{[^}]*\}/g, '…');
  return { example: example.toLowerCase() };
}

/** The explanation as text for a support lead: newest run first, one paragraph each. */
export function formatExplanation(explanation: Explanation): string {
  const out: string[] = [];
  if (explanation.runs.length === 0 && explanation.state.length === 0) {
    return formatNothingFound(explanation);
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
    const { reason, identity } = splitRowIdentity(run.reason);
    const shownReason = run.spelled === '' && identity !== undefined ? reason : run.reason;
    const why = shownReason ? ` — ${show(shownReason)}` : '';
    const who =
      run.spelled === ''
        ? `with no username${identity !== undefined ? ` (${show(identity)})` : ''}`
        : `as ${show(run.spelled)}`;
    const found = run.foundBy === 'username' ? '' : `, found by its ${show(run.foundBy)}`;
    out.push(
      `${run.startedAt} run ${run.runId} (${run.mode}, ${run.status}${run.retailerId ? `, retailer ${run.retailerId}` : ''}): row ${run.row} (line ${run.line}) of ${show(run.inputPath)} ${who}${found}: ${run.outcome ?? 'not decided (the run stopped)'}${why}`,
    );
    for (const change of run.changes) {
      out.push(`    ${change.field}: ${showValue(change.before)} → ${showValue(change.after)}`);
    }
  }
  if (explanation.truncated) {
    out.push(`(only the newest ${EXPLAIN_ROW_LIMIT} rows are listed; ask for a username to see one customer)`);
  }
  return `${out.join('\n')}\n`;
}

/** Nothing found: say so, and how the kept runs made usernames, so the next try can be the right one. */
function formatNothingFound(explanation: Explanation): string {
  const asked = show(explanation.username);
  const lines = [
    `no run kept in this checkpoint has a row with the username, email or key "${asked}" (runs older than --keep-runs are pruned)`,
  ];
  for (const rule of explanation.usernames) {
    const retailer = rule.retailerId ? ` for retailer ${rule.retailerId}` : '';
    if (rule.column !== undefined) {
      lines.push(`usernames${retailer} come from the file's column "${show(rule.column)}"`);
    } else if (rule.template !== undefined) {
      lines.push(
        `usernames${retailer} are made by --username-template ${show(rule.template)}: ${show(rule.template)} → ${show(rule.example ?? '…')}`,
      );
    }
  }
  if (explanation.usernames.length === 0) lines.push('the checkpoint keeps no run that made usernames');
  return `${lines.join('\n')}\n`;
}

function show(text: string): string {
  return escapeControl(text);
}

function showValue(value: string | boolean | null): string {
  return value === null ? '(none)' : typeof value === 'boolean' ? String(value) : `"${show(value)}"`;
}
