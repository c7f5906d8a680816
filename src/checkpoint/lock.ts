import fs from 'node:fs';
import os from 'node:os';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { describeFsError } from '../shared/describeFsError.js';
import { checkOwnFile } from './openCheckpointFile.js';

/** Who holds (or held) a checkpoint: named in the message a second run gets. */
export interface LockHolder {
  runId: string;
  pid: number;
  host: string;
  startedAt: string;
  /** When the holder last said it was alive (ms since the epoch). */
  heartbeatAt: number;
}

/** The checkpoint's lock: one run at a time (SPEC §2). */
export interface CheckpointLock {
  /**
   * Takes the lock for `runId`, or throws a UsageError (exit 2) naming the live holder. A holder whose process is gone
   * (killed, even with -9; a container restarted as PID 1; another host's process, whose lock the file system frees
   * when it dies) is taken over.
   */
  acquire(runId: string): { takenOverFrom?: LockHolder };
  /** Refreshes the holder's heartbeat, shown to a run that finds the checkpoint busy. */
  heartbeat(): void;
  release(): void;
}

const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = fs.constants;

/**
 * The lock is an exclusive SQLite transaction held open on a side file (`<checkpoint>-lock`) for the whole run: the
 * kernel owns it, so it is released the moment the holder's process dies, whatever its pid, pid namespace or host
 * (SQLite's locks go through the file system, NFS's lock manager included). A pid and host cannot tell that much: a
 * container's PID 1 killed with -9 and restarted is PID 1 again on the same host. The `lock` table of the checkpoint
 * only *names* the holder, for the message a second run prints.
 *
 * The side file is never deleted: unlinking it while another process waits on it would let two runs hold two files.
 */
export function createLock(
  db: Database.Database,
  checkpointPath: string,
  options: { now: () => Date; file: string },
): CheckpointLock {
  const lockPath = `${checkpointPath}-lock`;
  const now = options.now;
  let held: Database.Database | undefined;
  let runIdHeld: string | undefined;
  const readHolder = db.prepare(
    'SELECT run_id AS runId, pid, host, started_at AS startedAt, heartbeat_at AS heartbeatAt FROM lock WHERE id = 1',
  );
  const writeHolder = db.prepare(
    'INSERT OR REPLACE INTO lock (id, run_id, pid, host, started_at, heartbeat_at) VALUES (1, ?, ?, ?, ?, ?)',
  );
  const beat = db.prepare('UPDATE lock SET heartbeat_at = ? WHERE run_id = ?');
  const forget = db.prepare('DELETE FROM lock WHERE run_id = ?');
  const interruptOthers = db.prepare("UPDATE runs SET status = 'interrupted' WHERE status = 'running' AND run_id != ?");

  return {
    acquire(runId) {
      const side = openSideFile(lockPath, options.file);
      try {
        side.exec('BEGIN EXCLUSIVE');
      } catch (error) {
        side.close();
        if ((error as { code?: string }).code !== 'SQLITE_BUSY') throw error;
        throw new UsageError(describeBusy(options.file, readHolder.get() as LockHolder | undefined, now()));
      }
      held = side;
      runIdHeld = runId;
      const previous = readHolder.get() as LockHolder | undefined;
      db.transaction(() => {
        writeHolder.run(runId, process.pid, os.hostname(), now().toISOString(), now().getTime());
        interruptOthers.run(runId);
      }).immediate();
      return previous ? { takenOverFrom: previous } : {};
    },
    heartbeat() {
      if (runIdHeld !== undefined) beat.run(now().getTime(), runIdHeld);
    },
    release() {
      if (runIdHeld === undefined) return;
      if (db.open) forget.run(runIdHeld);
      runIdHeld = undefined;
      held?.close();
      held = undefined;
    },
  };
}

/** Opens (creating it owner-only when missing) the side file the lock lives on; never a link, never another's. */
function openSideFile(lockPath: string, file: string): Database.Database {
  try {
    checkOwnFile(file, fs.lstatSync(lockPath), "checkpoint's lock file of");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    try {
      fs.closeSync(fs.openSync(lockPath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600));
    } catch (created) {
      if ((created as NodeJS.ErrnoException).code !== 'EEXIST') {
        throw new UsageError(`checkpoint lock file ${lockPath} cannot be created: ${describeFsError(created)}`);
      }
      checkOwnFile(file, fs.lstatSync(lockPath), "checkpoint's lock file of");
    }
  }
  // timeout 0: a busy lock is answered at once, never waited for.
  return new Database(lockPath, { fileMustExist: true, timeout: 0 });
}

function describeBusy(file: string, holder: LockHolder | undefined, now: Date): string {
  if (!holder) {
    return `checkpoint ${file} is in use by another customer-sync process; wait for it to finish or pass another --checkpoint`;
  }
  const seconds = Math.max(0, Math.round((now.getTime() - holder.heartbeatAt) / 1000));
  return (
    `checkpoint ${file} is in use by run ${holder.runId} (pid ${holder.pid} on ${holder.host}, since ${holder.startedAt}, ` +
    `alive ${seconds} s ago); wait for it to finish or pass another --checkpoint`
  );
}
