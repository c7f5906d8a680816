import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { ensurePrivateDir } from '../privateFs.js';
import type { Customer, FieldChange, OutcomeKind, RowOutcome, RunMode } from '../types.js';

/**
 * The SQLite checkpoint: the only module that writes SQL.
 *
 * It holds three kinds of state:
 * - `customers`: per (API host, retailer, case-folded username) the hash of what was last applied and the OMS id,
 *   so a nightly re-run of an unchanged row costs no request at all, and a checkpoint used against one host never
 *   makes another host's rows look unchanged.
 * - `pending`: a mutation about to be sent. Written durably before the request, removed with the outcome, so a run
 *   killed mid-request leaves a trace that the next run resolves by looking the username up (never a blind retry).
 * - `runs` / `run_rows` / `run_diffs`: each run's staged rows and per-row outcomes. Rows are staged here as they
 *   stream, so memory stays flat in the file size and in-file duplicates are found with SQL.
 */

const SCHEMA_VERSION = 1;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS lock (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  run_id TEXT NOT NULL, pid INTEGER NOT NULL, host TEXT NOT NULL, started_at TEXT NOT NULL, heartbeat_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
  run_id TEXT PRIMARY KEY,
  mode TEXT NOT NULL,
  api_host TEXT,
  retailer_id TEXT,
  status TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT,
  input_path TEXT NOT NULL,
  summary_json TEXT,
  context_json TEXT
);
CREATE TABLE IF NOT EXISTS run_rows (
  run_id TEXT NOT NULL,
  row INTEGER NOT NULL,
  line INTEGER NOT NULL,
  username TEXT NOT NULL,
  username_key TEXT NOT NULL,
  hash TEXT,
  customer_json TEXT,
  cells_json TEXT NOT NULL,
  outcome TEXT,
  reason TEXT NOT NULL DEFAULT '',
  changed_fields TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (run_id, row)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS run_rows_by_key ON run_rows (run_id, username_key) WHERE outcome IS NULL;
CREATE TABLE IF NOT EXISTS run_diffs (
  run_id TEXT NOT NULL, seq INTEGER NOT NULL, username TEXT NOT NULL, field TEXT NOT NULL, before TEXT, after TEXT,
  PRIMARY KEY (run_id, seq)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS customers (
  api_host TEXT NOT NULL,
  retailer_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  username TEXT NOT NULL,
  oms_id TEXT,
  hash TEXT NOT NULL,
  applied_run TEXT NOT NULL,
  applied_at TEXT NOT NULL,
  -- username before retailer: the hot lookup is every retailer's entry for one username on one host.
  PRIMARY KEY (api_host, username_key, retailer_id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS pending (
  api_host TEXT NOT NULL,
  retailer_id TEXT NOT NULL,
  username_key TEXT NOT NULL,
  run_id TEXT NOT NULL,
  kind TEXT NOT NULL,
  started_at TEXT NOT NULL,
  PRIMARY KEY (api_host, retailer_id, username_key)
) WITHOUT ROWID;
`;

/** A staged row: what the read and normalise stages made of one input record. */
export interface StagedRow {
  row: number;
  line: number;
  cells: readonly string[];
  /** Present when the row passed validation. */
  customer?: Customer;
  hash?: string;
  /** A final outcome decided while staging (rejected, skipped). */
  outcome?: { kind: OutcomeKind; reason: string };
}

/** A row that passed validation and still waits for its outcome. */
export interface OpenRow {
  row: number;
  username: string;
  usernameKey: string;
  hash: string;
  customer: Customer;
}

/** What the checkpoint knows about one username on one API host. */
export interface KnownCustomer {
  retailerId: string;
  username: string;
  omsId: string | null;
  hash: string;
  appliedRun: string;
  /** Status of the run that applied it; anything but `completed` means that run was interrupted. */
  appliedRunStatus: string | null;
}

export interface PendingMutation {
  runId: string;
  kind: 'create' | 'update';
}

export interface RunRecord {
  runId: string;
  mode: RunMode;
  apiHost: string | null;
  retailerId: string | null;
  status: string;
  startedAt: string;
  finishedAt: string | null;
  inputPath: string;
  summary: unknown;
  context: unknown;
}

export interface CheckpointScope {
  apiHost: string;
  retailerId: string;
}

export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
}

/** Stale locks: a holder on this host whose process is gone, or a holder elsewhere silent for this long. */
const STALE_HEARTBEAT_MS = 120_000;

/** Staged rows are written in transactions of this many rows: big enough for throughput, small enough to stay flat. */
const STAGE_BATCH = 2_000;

/** Case-folded username: uniqueness in the file and in the checkpoint is case-insensitive (SPEC §3). */
export function usernameKey(username: string): string {
  return username.toLowerCase();
}

/**
 * Opens (creating it and its folders when missing, owner-only) the checkpoint database at `file`.
 * `durable: false` trades crash safety for speed; only for throw-away stores such as `validate`'s.
 */
export function openCheckpoint(file: string, options: { durable?: boolean; now?: () => Date } = {}) {
  const now = options.now ?? (() => new Date());
  const durable = options.durable ?? true;
  let db: Database.Database;
  try {
    ensurePrivateDir(path.dirname(path.resolve(file)));
    db = new Database(file);
    fs.chmodSync(file, 0o600);
    // A throw-away store keeps no journal: a memory journal would hold every page a big update touches.
    db.pragma(durable ? 'journal_mode = WAL' : 'journal_mode = OFF');
    // NORMAL in WAL mode survives a killed process (kill -9); only an OS crash can lose the last commits.
    db.pragma(durable ? 'synchronous = NORMAL' : 'synchronous = OFF');
    db.pragma('busy_timeout = 5000');
    db.exec(SCHEMA);
  } catch (error) {
    throw new UsageError(`checkpoint ${file} cannot be opened: ${(error as Error).message}`);
  }
  const version = db.prepare('SELECT value FROM meta WHERE key = ?').pluck().get('schema_version') as
    | string
    | undefined;
  if (version === undefined) {
    db.prepare('INSERT INTO meta (key, value) VALUES (?, ?)').run('schema_version', String(SCHEMA_VERSION));
  } else if (Number(version) > SCHEMA_VERSION) {
    db.close();
    throw new UsageError(`checkpoint ${file} was written by a newer customer-sync (schema ${version}); upgrade first`);
  }
  for (const suffix of ['-wal', '-shm']) {
    if (fs.existsSync(file + suffix)) fs.chmodSync(file + suffix, 0o600);
  }

  const nowIso = () => now().toISOString();

  const stmt = {
    insertRow: db.prepare(
      `INSERT INTO run_rows (run_id, row, line, username, username_key, hash, customer_json, cells_json, outcome, reason)
       VALUES (@runId, @row, @line, @username, @usernameKey, @hash, @customer, @cells, @outcome, @reason)`,
    ),
    setOutcome: db.prepare(
      'UPDATE run_rows SET outcome = @outcome, reason = @reason, changed_fields = @changedFields WHERE run_id = @runId AND row = @row',
    ),
    duplicateGroups: db.prepare(
      `SELECT username_key AS key FROM run_rows WHERE run_id = ? AND outcome IS NULL
       GROUP BY username_key HAVING COUNT(*) > 1`,
    ),
    groupRows: db.prepare(
      'SELECT row, hash FROM run_rows WHERE run_id = ? AND username_key = ? AND outcome IS NULL ORDER BY row',
    ),
    openRows: db.prepare(
      `SELECT row, username, username_key AS usernameKey, hash, customer_json AS customer FROM run_rows
       WHERE run_id = ? AND outcome IS NULL AND row > ? ORDER BY row LIMIT ?`,
    ),
    knownOnHost: db.prepare(
      `SELECT c.retailer_id AS retailerId, c.username, c.oms_id AS omsId, c.hash, c.applied_run AS appliedRun,
              r.status AS appliedRunStatus
       FROM customers c LEFT JOIN runs r ON r.run_id = c.applied_run
       WHERE c.api_host = ? AND c.username_key = ?`,
    ),
    pendingFor: db.prepare(
      'SELECT run_id AS runId, kind FROM pending WHERE api_host = ? AND retailer_id = ? AND username_key = ?',
    ),
    insertPending: db.prepare(
      `INSERT OR REPLACE INTO pending (api_host, retailer_id, username_key, run_id, kind, started_at)
       VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    deletePending: db.prepare('DELETE FROM pending WHERE api_host = ? AND retailer_id = ? AND username_key = ?'),
    upsertCustomer: db.prepare(
      `INSERT INTO customers (api_host, retailer_id, username_key, username, oms_id, hash, applied_run, applied_at)
       VALUES (@apiHost, @retailerId, @usernameKey, @username, @omsId, @hash, @runId, @at)
       ON CONFLICT (api_host, username_key, retailer_id) DO UPDATE SET
         username = excluded.username, oms_id = COALESCE(excluded.oms_id, customers.oms_id), hash = excluded.hash,
         applied_run = excluded.applied_run, applied_at = excluded.applied_at`,
    ),
    insertDiff: db.prepare(
      'INSERT INTO run_diffs (run_id, seq, username, field, before, after) VALUES (?, ?, ?, ?, ?, ?)',
    ),
    countOutcomes: db.prepare(
      'SELECT outcome, COUNT(*) AS n FROM run_rows WHERE run_id = ? AND outcome IS NOT NULL GROUP BY outcome',
    ),
    countRows: db.prepare('SELECT COUNT(*) FROM run_rows WHERE run_id = ?').pluck(),
    closeOpen: db.prepare('UPDATE run_rows SET outcome = ?, reason = ? WHERE run_id = ? AND outcome IS NULL'),
    countOpen: db.prepare('SELECT COUNT(*) FROM run_rows WHERE run_id = ? AND outcome IS NULL').pluck(),
    outcomes: db.prepare(
      `SELECT row, line, username, outcome, reason, changed_fields AS changedFields FROM run_rows
       WHERE run_id = ? ORDER BY row`,
    ),
    rejects: db.prepare(
      `SELECT row, cells_json AS cells, reason FROM run_rows
       WHERE run_id = ? AND outcome IN ('rejected', 'conflict', 'failed') ORDER BY row`,
    ),
    diffs: db.prepare('SELECT username, field, before, after FROM run_diffs WHERE run_id = ? ORDER BY seq'),
    insertRun: db.prepare(
      `INSERT INTO runs (run_id, mode, api_host, retailer_id, status, started_at, input_path, context_json)
       VALUES (@runId, @mode, @apiHost, @retailerId, 'running', @startedAt, @inputPath, @context)`,
    ),
    setRunContext: db.prepare('UPDATE runs SET context_json = ? WHERE run_id = ?'),
    finishRun: db.prepare('UPDATE runs SET status = ?, finished_at = ?, summary_json = ? WHERE run_id = ?'),
    getRun: db.prepare('SELECT * FROM runs WHERE run_id = ?'),
    listRuns: db.prepare('SELECT * FROM runs ORDER BY started_at DESC, run_id DESC'),
    interruptStale: db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND run_id != ?"),
  };

  let diffSeq = 0;

  /** Serialises a staged batch in one transaction. */
  const stageBatch = db.transaction((runId: string, rows: readonly StagedRow[]) => {
    for (const r of rows) {
      const username = r.customer?.username ?? '';
      stmt.insertRow.run({
        runId,
        row: r.row,
        line: r.line,
        username,
        usernameKey: usernameKey(username),
        hash: r.hash ?? null,
        customer: r.customer ? JSON.stringify(r.customer) : null,
        cells: JSON.stringify(r.cells),
        outcome: r.outcome?.kind ?? null,
        reason: r.outcome?.reason ?? '',
      });
    }
  });

  const setOutcomes = db.transaction((runId: string, outcomes: readonly OutcomeUpdate[]) => {
    for (const o of outcomes) {
      stmt.setOutcome.run({
        runId,
        row: o.row,
        outcome: o.outcome,
        reason: o.reason,
        changedFields: (o.changedFields ?? []).join(';'),
      });
    }
  });

  return {
    file,

    /**
     * Takes the checkpoint's lock for `runId`. A live holder makes this a UsageError (exit 2) naming it; a holder
     * whose process is gone (same host) or that has been silent for two minutes (another host) is taken over.
     */
    acquireLock(runId: string, pid = process.pid): { takenOverFrom?: LockHolder } {
      const host = os.hostname();
      const take = db.transaction(() => {
        const holder = db
          .prepare('SELECT run_id AS runId, pid, host, started_at AS startedAt, heartbeat_at AS heartbeatAt FROM lock')
          .get() as (LockHolder & { heartbeatAt: number }) | undefined;
        if (holder && !isStale(holder, host, now().getTime())) {
          throw new UsageError(
            `checkpoint ${file} is in use by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}); wait for it to finish or pass another --checkpoint`,
          );
        }
        db.prepare(
          'INSERT OR REPLACE INTO lock (id, run_id, pid, host, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)',
        ).run(runId, pid, host, nowIso(), now().getTime());
        stmt.interruptStale.run(runId);
        return holder;
      });
      const previous = take.immediate();
      return previous ? { takenOverFrom: previous } : {};
    },

    /** Refreshes the lock's heartbeat so holders on other hosts can tell it is alive. */
    heartbeat(runId: string): void {
      db.prepare('UPDATE lock SET heartbeat_at = ? WHERE run_id = ?').run(now().getTime(), runId);
    },

    releaseLock(runId: string): void {
      db.prepare('DELETE FROM lock WHERE run_id = ?').run(runId);
    },

    startRun(run: {
      runId: string;
      mode: RunMode;
      apiHost: string | null;
      retailerId: string | null;
      inputPath: string;
      context: unknown;
    }): void {
      stmt.insertRun.run({ ...run, startedAt: nowIso(), context: JSON.stringify(run.context) });
    },

    /** Replaces the context a report needs to be re-rendered (header, options, …). */
    setRunContext(runId: string, context: unknown): void {
      stmt.setRunContext.run(JSON.stringify(context), runId);
    },

    finishRun(runId: string, status: 'completed' | 'aborted', summary: unknown): void {
      stmt.finishRun.run(status, nowIso(), JSON.stringify(summary), runId);
    },

    getRun(runId: string): RunRecord | undefined {
      const r = stmt.getRun.get(runId) as RunRow | undefined;
      return r && toRunRecord(r);
    },

    listRuns(): RunRecord[] {
      return (stmt.listRuns.all() as RunRow[]).map(toRunRecord);
    },

    /** Returns a stager that writes rows in batched transactions; call `flush()` at the end. */
    createStager(runId: string) {
      let batch: StagedRow[] = [];
      return {
        add(row: StagedRow): void {
          batch.push(row);
          if (batch.length >= STAGE_BATCH) {
            stageBatch(runId, batch);
            batch = [];
          }
        },
        flush(): void {
          if (batch.length > 0) stageBatch(runId, batch);
          batch = [];
        },
      };
    },

    countRows(runId: string): number {
      return stmt.countRows.get(runId) as number;
    },

    /** Usernames (case-folded) that more than one open row of the run shares, with those rows in file order. */
    *duplicateGroups(runId: string): Generator<{ key: string; rows: { row: number; hash: string }[] }> {
      const keys = stmt.duplicateGroups.pluck().all(runId) as string[];
      for (const key of keys) {
        yield { key, rows: stmt.groupRows.all(runId, key) as { row: number; hash: string }[] };
      }
    },

    /** Open rows after `afterRow`, in file order, at most `limit`. */
    openRows(runId: string, afterRow: number, limit: number): OpenRow[] {
      return (
        stmt.openRows.all(runId, afterRow, limit) as {
          row: number;
          username: string;
          usernameKey: string;
          hash: string;
          customer: string;
        }[]
      ).map((r) => ({ ...r, customer: JSON.parse(r.customer) as Customer }));
    },

    /** Records final outcomes, in one transaction (durable before the caller counts them). */
    setOutcomes(runId: string, outcomes: readonly OutcomeUpdate[]): void {
      setOutcomes(runId, outcomes);
    },

    /** Everything the checkpoint knows about a username on an API host, across retailers. */
    knownCustomers(apiHost: string, key: string): KnownCustomer[] {
      return stmt.knownOnHost.all(apiHost, key) as KnownCustomer[];
    },

    pendingMutation(scope: CheckpointScope, key: string): PendingMutation | undefined {
      return stmt.pendingFor.get(scope.apiHost, scope.retailerId, key) as PendingMutation | undefined;
    },

    /** Durably notes that a mutation is about to be sent, so a crash mid-request is resolved by lookup next time. */
    markPending(scope: CheckpointScope, key: string, runId: string, kind: 'create' | 'update'): void {
      stmt.insertPending.run(scope.apiHost, scope.retailerId, key, runId, kind, nowIso());
    },

    /**
     * Records that `hash` is now what the OMS holds for the username (applied or verified identical), clears any
     * pending mark and sets the row's outcome, all in one transaction. `appliedBy` is the run whose mutation put it
     * there: this run, or an interrupted one whose lost response this run resolved.
     */
    recordApplied: db.transaction(
      (
        scope: CheckpointScope,
        runId: string,
        entry: { username: string; omsId: string | null; hash: string; appliedBy: string },
        outcome: OutcomeUpdate,
      ) => {
        const key = usernameKey(entry.username);
        stmt.upsertCustomer.run({ ...scope, usernameKey: key, ...entry, runId: entry.appliedBy, at: nowIso() });
        stmt.deletePending.run(scope.apiHost, scope.retailerId, key);
        setOutcomes(runId, [outcome]);
      },
    ),

    /** Sets a row's outcome and clears the username's pending mark (a mutation that failed for good). */
    recordUnapplied: db.transaction((scope: CheckpointScope, runId: string, key: string, outcome: OutcomeUpdate) => {
      stmt.deletePending.run(scope.apiHost, scope.retailerId, key);
      setOutcomes(runId, [outcome]);
    }),

    addDiffs: db.transaction((runId: string, changes: readonly FieldChange[]) => {
      for (const c of changes) {
        stmt.insertDiff.run(runId, diffSeq++, c.username, c.field, encodeValue(c.before), encodeValue(c.after));
      }
    }),

    /** Gives every row still open one outcome: `valid` in validate, `skipped` for an aborted run's untouched rows. */
    closeOpenRows(runId: string, reason: string, outcome: OutcomeKind): number {
      return stmt.closeOpen.run(outcome, reason, runId).changes;
    },

    countOpenRows(runId: string): number {
      return stmt.countOpen.get(runId) as number;
    },

    /** Forgets a run that never got going (bad input found while reading): its rows and its record. */
    discardRun: db.transaction((runId: string) => {
      db.prepare('DELETE FROM run_rows WHERE run_id = ?').run(runId);
      db.prepare('DELETE FROM run_diffs WHERE run_id = ?').run(runId);
      db.prepare('DELETE FROM runs WHERE run_id = ?').run(runId);
    }),

    outcomeCounts(runId: string): Map<OutcomeKind, number> {
      const rows = stmt.countOutcomes.all(runId) as { outcome: OutcomeKind; n: number }[];
      return new Map(rows.map((r) => [r.outcome, r.n]));
    },

    *outcomes(runId: string): Generator<RowOutcome> {
      for (const r of stmt.outcomes.iterate(runId) as Iterable<RowOutcomeRow>) {
        yield {
          row: r.row,
          line: r.line,
          username: r.username,
          outcome: r.outcome,
          reason: r.reason,
          changedFields: r.changedFields === '' ? [] : (r.changedFields.split(';') as RowOutcome['changedFields']),
        };
      }
    },

    *rejects(runId: string): Generator<{ row: number; cells: string[]; reason: string }> {
      for (const r of stmt.rejects.iterate(runId) as Iterable<{ row: number; cells: string; reason: string }>) {
        yield { row: r.row, cells: JSON.parse(r.cells) as string[], reason: r.reason };
      }
    },

    *diffs(runId: string): Generator<FieldChange> {
      for (const r of stmt.diffs.iterate(runId) as Iterable<DiffRow>) {
        yield { username: r.username, field: r.field, before: decodeValue(r.before), after: decodeValue(r.after) };
      }
    },

    /** Deletes the staged rows and diffs of all but the newest `keep` runs. */
    pruneRuns(keep: number): void {
      const old = db
        .prepare('SELECT run_id FROM runs ORDER BY started_at DESC, run_id DESC LIMIT -1 OFFSET ?')
        .pluck()
        .all(keep) as string[];
      const prune = db.transaction((ids: string[]) => {
        for (const id of ids) {
          db.prepare('DELETE FROM run_rows WHERE run_id = ?').run(id);
          db.prepare('DELETE FROM run_diffs WHERE run_id = ?').run(id);
          db.prepare('DELETE FROM runs WHERE run_id = ?').run(id);
        }
      });
      prune(old);
    },

    close(): void {
      if (durable && db.open) db.pragma('wal_checkpoint(TRUNCATE)');
      db.close();
    },
  };
}

export type Checkpoint = ReturnType<typeof openCheckpoint>;

export interface OutcomeUpdate {
  row: number;
  outcome: OutcomeKind;
  reason: string;
  changedFields?: readonly string[];
}

interface RunRow {
  run_id: string;
  mode: RunMode;
  api_host: string | null;
  retailer_id: string | null;
  status: string;
  started_at: string;
  finished_at: string | null;
  input_path: string;
  summary_json: string | null;
  context_json: string | null;
}

interface RowOutcomeRow {
  row: number;
  line: number;
  username: string;
  outcome: OutcomeKind;
  reason: string;
  changedFields: string;
}

interface DiffRow {
  username: string;
  field: FieldChange['field'];
  before: string | null;
  after: string | null;
}

function toRunRecord(r: RunRow): RunRecord {
  return {
    runId: r.run_id,
    mode: r.mode,
    apiHost: r.api_host,
    retailerId: r.retailer_id,
    status: r.status,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    inputPath: r.input_path,
    summary: r.summary_json ? JSON.parse(r.summary_json) : null,
    context: r.context_json ? JSON.parse(r.context_json) : null,
  };
}

/** Diff values are strings, booleans or null; JSON keeps the three apart in one TEXT column. */
function encodeValue(value: string | boolean | null): string | null {
  return value === null ? null : JSON.stringify(value);
}

function decodeValue(value: string | null): string | boolean | null {
  return value === null ? null : (JSON.parse(value) as string | boolean);
}

function isStale(holder: LockHolder & { heartbeatAt: number }, host: string, nowMs: number): boolean {
  if (holder.host === host) return !isProcessAlive(holder.pid);
  return nowMs - holder.heartbeatAt > STALE_HEARTBEAT_MS;
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
