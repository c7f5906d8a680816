import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { UsageError } from '../errors.js';
import { checkTrustedPath, isOwnEntry } from '../shared/checkTrustedPath.js';
import { describeFsError } from '../shared/describeFsError.js';
import { escapeControl } from '../shared/escapeControl.js';
import { ensurePrivateDir } from '../shared/privateFs.js';
import { APPLICATION_ID, findForeignObjects, LAYOUT_1_TABLES, SCHEMA_VERSION } from './schema.js';

/** A checkpoint file opened for use: the database and the layout version it holds (`new` when just created). */
export interface CheckpointFile {
  db: Database.Database;
  path: string;
  version: number | 'new';
}

const SQLITE_MAGIC = Buffer.from('SQLite format 3\0', 'latin1');
const HEADER_BYTES = 100;
const OWNER_ONLY = 0o600;
const { O_RDONLY, O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
/** The files SQLite and the lock keep beside the checkpoint, opened by name: each must be ours too, or absent. */
const COMPANIONS = ['-wal', '-shm', '-journal', '-lock'] as const;

type Inspection =
  | { kind: 'created' }
  | { kind: 'ours'; version: number }
  /** Empty, or no application id yet (a first-release checkpoint): recognised by its tables once open. */
  | { kind: 'by-content'; empty: boolean };

/**
 * The checks of the checkpoint's path openCheckpointFile makes before it creates or opens anything, on their own, so
 * a run can refuse a bad --checkpoint before it makes its report folder: every folder and link on the path is root's
 * or this user's (checkTrustedPath), and the file and its companions (-wal, -shm, -journal, -lock) are regular files
 * of this user, or absent.
 *
 * @throws UsageError (exit 2) naming the checkpoint and what is wrong
 */
export function checkCheckpointPath(file: string): void {
  const resolved = path.resolve(file);
  const { entry } = checkTrustedPath(resolved, { subject: `checkpoint ${file}` });
  if (entry) checkOwnFile(file, entry, 'checkpoint');
  for (const suffix of COMPANIONS) checkCompanion(file, `${resolved}${suffix}`);
}

/**
 * Opens the checkpoint at `file` without ever following a symlink or changing a file that is not ours (SPEC §2, §4):
 * the path must pass checkCheckpointPath; a missing file is created owner-only with O_EXCL; an existing one must be a
 * regular file owned by this user and be a customer-sync checkpoint — recognised by its application id and layout
 * version in the header, read before SQLite opens it — or a checkpoint of the first release, recognised by its tables,
 * holding no object our layouts do not create. Anything else is a UsageError (exit 2) naming the file, and the file is
 * left as it was. A layout newer than this release's is refused the same way.
 * Only files that are ours get their mode tightened to 0600. `create: false` refuses a missing file instead.
 */
export function openCheckpointFile(file: string, options: { create?: boolean } = {}): CheckpointFile {
  const resolved = path.resolve(file);
  checkCheckpointPath(file);
  if (options.create === false && !fs.existsSync(resolved)) {
    throw new UsageError(`no checkpoint at ${file}: pass --checkpoint with the one the runs used`);
  }
  try {
    ensurePrivateDir(path.dirname(resolved));
  } catch (error) {
    throw new UsageError(`checkpoint folder ${path.dirname(file)} cannot be created: ${describeFsError(error)}`);
  }
  const inspection = inspect(file, resolved);
  for (const suffix of COMPANIONS) checkCompanion(file, `${resolved}${suffix}`);
  const before = fs.lstatSync(resolved);

  let db: Database.Database;
  try {
    db = new Database(resolved, { fileMustExist: true });
    // A file someone else could have written: its schema's SQL may not call functions with side effects.
    db.pragma('trusted_schema = OFF');
  } catch (error) {
    throw new UsageError(`checkpoint ${file} cannot be opened: ${(error as Error).message}`);
  }
  try {
    const after = fs.lstatSync(resolved);
    if (after.ino !== before.ino || after.dev !== before.dev || after.isSymbolicLink()) {
      throw new UsageError(`checkpoint ${file} was replaced while it was being opened; run again`);
    }
    const version =
      inspection.kind === 'created'
        ? 'new'
        : inspection.kind === 'ours'
          ? inspection.version
          : recogniseByContent(db, file, inspection.empty);
    if (version !== 'new' && version > SCHEMA_VERSION) throw newerLayout(file, version);
    if (version !== 'new') refuseForeignObjects(db, file, version);
    tightenMode(resolved);
    return { db, path: resolved, version };
  } catch (error) {
    db.close();
    throw error;
  }
}

/** What the path holds, from lstat and the file header alone; a file that cannot be ours is refused here. */
function inspect(file: string, resolved: string): Inspection {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(resolved);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      throw new UsageError(`checkpoint ${file} cannot be read: ${describeFsError(error)}`);
    }
    return create(file, resolved);
  }
  checkOwnFile(file, stat, 'checkpoint');
  if (stat.size === 0) {
    // Only an empty file this tool could have made (ours, owner-only) is taken as a checkpoint being created.
    if ((stat.mode & 0o077) !== 0) throw notACheckpoint(file, 'it is an empty file that customer-sync did not create');
    return { kind: 'by-content', empty: true };
  }
  const header = readHeader(file, resolved);
  if (header.length < HEADER_BYTES || !header.subarray(0, SQLITE_MAGIC.length).equals(SQLITE_MAGIC)) {
    throw notACheckpoint(file, 'it is not an SQLite database');
  }
  const applicationId = header.readUInt32BE(68);
  const version = header.readUInt32BE(60);
  if (applicationId === APPLICATION_ID) {
    if (version > SCHEMA_VERSION) throw newerLayout(file, version);
    return { kind: 'ours', version };
  }
  if (applicationId === 0 && version === 0) return { kind: 'by-content', empty: false };
  throw notACheckpoint(file, 'it is an SQLite database of another program');
}

function create(file: string, resolved: string): Inspection {
  try {
    fs.closeSync(fs.openSync(resolved, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, OWNER_ONLY));
  } catch (error) {
    // Another process created it a moment ago: look again, as at any existing file.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return inspect(file, resolved);
    throw new UsageError(`checkpoint ${file} cannot be created: ${describeFsError(error)}`);
  }
  return { kind: 'created' };
}

/**
 * A checkpoint whose header does not say what it is: a file this tool created but had not written yet (empty), or a
 * checkpoint of the first release, which had no application id. Its tables decide; a foreign file is refused before
 * anything is written to it.
 */
function recogniseByContent(db: Database.Database, file: string, empty: boolean): number | 'new' {
  const applicationId = db.pragma('application_id', { simple: true }) as number;
  const version = db.pragma('user_version', { simple: true }) as number;
  if (applicationId === APPLICATION_ID) return version;
  if (applicationId !== 0) throw notACheckpoint(file, 'it is an SQLite database of another program');
  const tables = db
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")
    .pluck()
    .all() as string[];
  if (tables.length === 0 && empty) return 'new';
  if (isLayout1(db, tables)) return 1;
  throw notACheckpoint(file, 'it is an SQLite database of another program');
}

function isLayout1(db: Database.Database, tables: readonly string[]): boolean {
  const expected = Object.keys(LAYOUT_1_TABLES);
  if (tables.length !== expected.length || !expected.every((name) => tables.includes(name))) return false;
  for (const [table, columns] of Object.entries(LAYOUT_1_TABLES)) {
    const present = new Set(
      (db.prepare(`SELECT name FROM pragma_table_info(?)`).pluck().all(table) as string[]).map(String),
    );
    if (!columns.every((column) => present.has(column))) return false;
  }
  const marker = db.prepare("SELECT value FROM meta WHERE key = 'schema_version'").pluck().get();
  return marker === '1';
}

/**
 * A checkpoint holding a trigger, a view, or a table or index no layout of ours makes was changed by someone else:
 * a trigger would run inside the run's own writes. Refused before anything is written to it.
 */
function refuseForeignObjects(db: Database.Database, file: string, version: number): void {
  let foreign: { type: string; name: string }[];
  try {
    foreign = findForeignObjects(db, version);
  } catch (error) {
    throw notACheckpoint(file, `its schema cannot be read: ${(error as Error).message}`);
  }
  const [first] = foreign;
  if (!first) return;
  const more = foreign.length > 1 ? ` and ${foreign.length - 1} more` : '';
  throw new UsageError(
    `checkpoint ${file} holds ${first.type} "${escapeControl(first.name)}"${more}, which customer-sync never creates; it was left untouched: pass another --checkpoint (or drop what was added to it)`,
  );
}

/** SQLite's own companions of the checkpoint must not be links or files of someone else either. */
function checkCompanion(file: string, companion: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(companion);
  } catch {
    return;
  }
  checkOwnFile(file, stat, `checkpoint's ${companion.slice(companion.lastIndexOf('-'))} file of`);
}

/** A regular file of this user: the only kind of existing file the checkpoint code touches. */
export function checkOwnFile(file: string, stat: fs.Stats, what: string): void {
  if (stat.isSymbolicLink()) {
    throw new UsageError(
      `${what} ${file} is a symbolic link; customer-sync does not follow links it did not create, so pass the real path`,
    );
  }
  if (!stat.isFile()) throw new UsageError(`${what} ${file} is not a regular file; pass another --checkpoint`);
  if (!isOwnEntry(stat)) {
    throw new UsageError(
      `${what} ${file} belongs to another user (uid ${stat.uid}); run as that user or pass another --checkpoint`,
    );
  }
}

function readHeader(file: string, resolved: string): Buffer {
  let fd: number;
  try {
    fd = fs.openSync(resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    throw new UsageError(`checkpoint ${file} cannot be read: ${describeFsError(error)}`);
  }
  try {
    const header = Buffer.alloc(HEADER_BYTES);
    const read = fs.readSync(fd, header, 0, HEADER_BYTES, 0);
    return header.subarray(0, read);
  } finally {
    fs.closeSync(fd);
  }
}

/** Owner-only, set through a descriptor opened without following links (the path was checked to be ours). */
function tightenMode(resolved: string): void {
  const fd = fs.openSync(resolved, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  try {
    if ((fs.fstatSync(fd).mode & 0o077) !== 0) fs.fchmodSync(fd, OWNER_ONLY);
  } finally {
    fs.closeSync(fd);
  }
}

function notACheckpoint(file: string, why: string): UsageError {
  return new UsageError(
    `${file} is not a customer-sync checkpoint (${why}); it was left untouched: pass another --checkpoint`,
  );
}

function newerLayout(file: string, version: number): UsageError {
  return new UsageError(
    `checkpoint ${file} has layout version ${version}, newer than this customer-sync's ${SCHEMA_VERSION}; it was left untouched: upgrade customer-sync or pass another --checkpoint`,
  );
}
