import os from 'node:os';
import Database from 'better-sqlite3';
import { AbortError, UsageError } from '../errors.js';
import { type CheckpointLock, createLock } from './lock.js';
import { openCheckpointFile } from './openCheckpointFile.js';
import { createRunHistory, type RunHistory } from './runHistory.js';
import { createRunJournal, type RunJournal } from './runJournal.js';
import { createSchema, migrateSchema, SCHEMA_VERSION } from './schema.js';
import { createSyncState, type SyncState } from './syncState.js';

/**
 * SQLite's page cache per connection, in KiB (negative: a size, not a page count): 32 MiB instead of the default 2 MiB
 * keeps the pages a run stages into and looks its checkpoint entries up in, which took about a tenth off validate and
 * off a re-run. A bound, whatever the file's size, so memory stays flat.
 */
const CACHE_SIZE = -32_768;

/**
 * The SQLite checkpoint (SPEC §2-§3), the only place that writes SQL, in rooms:
 * - `openCheckpointFile`: finding the file safely and recognising it as ours; `schema`: its layout and migrations;
 * - `lock`: one run at a time;
 * - `syncState`: what the OMS holds as far as we know (applied hashes, pending marks), kept across runs;
 * - `runJournal`: each run's staged rows, outcomes, duplicates and diffs, pruned by --keep-runs.
 */
export interface Checkpoint {
  file: string;
  journal: RunJournal;
  syncState: SyncState;
  history: RunHistory;
  lock: CheckpointLock;
  close(): void;
}

/**
 * Opens the checkpoint at `file` for a run and takes its lock for `runId`: the file is created (owner-only) when
 * missing, refused (exit 2, untouched) when it is not ours or newer than this release, and migrated in one transaction
 * when older — only once the lock is held, so no other run sees it half-way. `create: false` (undo) refuses a missing
 * checkpoint instead, creating nothing.
 *
 * @returns the checkpoint, and the holder of a lock taken over from a process that is gone
 */
export function openCheckpoint(
  file: string,
  runId: string,
  options: { now?: () => Date; scrub?: (text: string) => string; create?: boolean } = {},
): { checkpoint: Checkpoint; takenOverFrom?: { runId: string } } {
  const now = options.now ?? (() => new Date());
  const opened = openCheckpointFile(file, { create: options.create });
  const { db } = opened;
  try {
    return prepareForRun(opened, file, runId, now, options.scrub);
  } catch (error) {
    if (db.open) db.close();
    throw isDiskFull(error) ? diskFull(file, opened.version) : error;
  }
}

/** The rest of openCheckpoint, once the file is known to be ours: its journal mode, layout and lock. */
function prepareForRun(
  opened: ReturnType<typeof openCheckpointFile>,
  file: string,
  runId: string,
  now: () => Date,
  scrub: ((text: string) => string) | undefined,
): { checkpoint: Checkpoint; takenOverFrom?: { runId: string } } {
  const { db } = opened;
  db.pragma('busy_timeout = 5000');
  // WAL with synchronous NORMAL survives a killed process (kill -9); only an OS crash can lose the last commits.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.pragma(`cache_size = ${CACHE_SIZE}`);
  if (opened.version === 'new') {
    createSchema(db);
    // Header and tables on disk at once, so the file says what it is even if this process is killed next.
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
  if (opened.version === 1) refuseLiveFirstReleaseHolder(db, file);
  const lock = createLock(db, opened.path, { now, file });
  const { takenOverFrom } = lock.acquire(runId);
  try {
    if (typeof opened.version === 'number' && opened.version < SCHEMA_VERSION) {
      migrateSchema(db, opened.version);
      db.pragma('wal_checkpoint(TRUNCATE)');
    }
    const journal = createRunJournal(db, now, scrub);
    const checkpoint: Checkpoint = {
      file,
      journal,
      syncState: createSyncState(db, journal, now),
      history: createRunHistory(db),
      lock,
      close() {
        lock.release();
        if (db.open) {
          db.pragma('wal_checkpoint(TRUNCATE)');
          db.close();
        }
      },
    };
    return takenOverFrom ? { checkpoint, takenOverFrom } : { checkpoint };
  } catch (error) {
    lock.release();
    throw error;
  }
}

function isDiskFull(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  return code === 'SQLITE_FULL' || code === 'ENOSPC';
}

/**
 * A full disk while the checkpoint is readied (its layout migrated, its lock taken): each step is one transaction, so
 * the file is as it was before the run. Exit 3, as any run stopped by its surroundings rather than by what it was
 * given: nothing was sent, and the same command succeeds once there is room.
 */
function diskFull(file: string, version: number | 'new'): AbortError {
  if (version === 'new') {
    return new AbortError(
      `the disk is full: checkpoint ${file} could not be created and nothing was sent; free some space and run again`,
    );
  }
  const what =
    version < SCHEMA_VERSION
      ? `checkpoint ${file} could not be migrated from layout ${version} to ${SCHEMA_VERSION}`
      : `checkpoint ${file} could not be readied for the run`;
  return new AbortError(
    `the disk is full: ${what}; it is left as it was and nothing was sent: free some space and run again`,
  );
}

/**
 * Opens an existing checkpoint to read its history (`runs`, `report --run`, `explain`), without taking its lock, so
 * it can be read while a run holds it. A checkpoint of an older layout is first migrated, under the lock, as a run
 * would; the connection itself never writes (query_only).
 */
export function openCheckpointForReading(file: string): { history: RunHistory; journal: RunJournal; close(): void } {
  let opened = openCheckpointFile(file, { create: false });
  if (typeof opened.version === 'number' && opened.version < SCHEMA_VERSION) {
    opened.db.close();
    openCheckpoint(file, `migration-${process.pid}`).checkpoint.close();
    opened = openCheckpointFile(file, { create: false });
  }
  const { db } = opened;
  if (opened.version === 'new') {
    // An empty file this tool created and never wrote: it has no history.
    db.close();
    const scratch = new Database('');
    createSchema(scratch);
    return {
      history: createRunHistory(scratch),
      journal: createRunJournal(scratch, () => new Date()),
      close: () => scratch.close(),
    };
  }
  db.pragma('busy_timeout = 5000');
  const reading = { history: createRunHistory(db), journal: createRunJournal(db, () => new Date()) };
  // Set once the journal has made its temporary tables: from here on nothing this connection runs can write.
  db.pragma('query_only = ON');
  return { ...reading, close: () => db.close() };
}

/**
 * A throw-away journal for `validate`, which needs no checkpoint: SQLite's anonymous temporary database, deleted by
 * SQLite itself as soon as it is opened (so nothing is left behind however the process ends) and spilled to disk only
 * past its cache, which keeps memory flat in the file size.
 */
export function openScratchJournal(options: { now?: () => Date } = {}): { journal: RunJournal; close(): void } {
  const db = new Database('');
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma(`cache_size = ${CACHE_SIZE}`);
  createSchema(db);
  return { journal: createRunJournal(db, options.now ?? (() => new Date())), close: () => db.close() };
}

/**
 * A checkpoint of the first release is locked by a row naming a pid, not by the kernel: while that process lives on
 * this host, migrating under it would break its run.
 */
function refuseLiveFirstReleaseHolder(db: Database.Database, file: string): void {
  const holder = db.prepare('SELECT run_id AS runId, pid, host FROM lock WHERE id = 1').get() as
    | { runId: string; pid: number; host: string }
    | undefined;
  if (!holder || holder.host !== os.hostname() || !isProcessAlive(holder.pid)) return;
  throw new UsageError(
    `checkpoint ${file} is in use by run ${holder.runId} of an earlier customer-sync (pid ${holder.pid}); wait for it to finish`,
  );
}

function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
