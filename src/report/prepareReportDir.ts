import fs from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../describeFsError.js';
import { UsageError } from '../errors.js';
import { createTempFile, ensurePrivateDir } from '../privateFs.js';
import { ReportWriteError } from './ReportWriteError.js';
import { REPORT_FILE_NAMES } from './writeReport.js';

/** The sticky bit of a folder's mode (S_ISVTX), which Node's fs.constants does not name. */
const STICKY = 0o1000;
/** Mode bits that let users other than a folder's owner add entries to it. */
const WRITABLE_BY_OTHERS = 0o022;

/**
 * Makes sure a report can be written to `dir` before the run sends its first request (SPEC §2: bad usage is exit 2
 * before any mutation): refuses a path through a symlink another user planted, creates the folder (0700, an
 * existing one keeps its mode), proves a file can be created and removed there, and that no report file's name is
 * taken by something a rename cannot replace. Otherwise every
 * customer would be created and only then would the run find it cannot say so. Throws a one-line UsageError
 * naming the folder and the reason.
 */
export function prepareReportDir(dir: string): void {
  checkNoPlantedSymlink(dir);
  try {
    ensurePrivateDir(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it is a file' : describeFsError(error);
    throw new UsageError(`cannot create the report folder ${dir}: ${reason}`);
  }

  try {
    const probe = createTempFile(path.join(dir, 'report.json'));
    fs.closeSync(probe.fd);
    fs.unlinkSync(probe.path);
  } catch (error) {
    throw new UsageError(
      `cannot write in the report folder ${dir}: ${describeProbeError(error)}; pick another --report-dir`,
    );
  }

  const folder = fs.statSync(dir);
  for (const name of REPORT_FILE_NAMES) {
    const taken = lstatOrUndefined(path.join(dir, name));
    if (!taken) continue;
    if (taken.isDirectory()) {
      throw new UsageError(
        `the report folder ${dir} holds a folder named ${name}, which a report file cannot replace; move it away or pick another --report-dir`,
      );
    }
    if (!canReplace(folder, taken)) {
      throw new UsageError(
        `the report folder ${dir} is shared (sticky) and its ${name} belongs to another user; pick another --report-dir`,
      );
    }
  }
}

/**
 * Refuses a path through a symlink another user may have planted: one owned by neither this user nor root, in a
 * folder others can write to. Following it would put customers' PII, written by a process that may be root,
 * wherever that user pointed it. (The kernel's fs.protected_symlinks covers only sticky folders, and only where it
 * is switched on.) Parts of the path that do not exist yet are left to ensurePrivateDir.
 */
function checkNoPlantedSymlink(dir: string): void {
  const uid = process.geteuid?.();
  if (uid === undefined) return;
  const absolute = path.resolve(dir);
  let current = path.parse(absolute).root;
  for (const part of absolute.split(path.sep).filter(Boolean)) {
    const parent = current;
    current = path.join(current, part);
    let entry: fs.Stats;
    try {
      entry = fs.lstatSync(current);
    } catch {
      return;
    }
    if (!entry.isSymbolicLink() || entry.uid === uid || entry.uid === 0) continue;
    if ((fs.statSync(parent).mode & WRITABLE_BY_OTHERS) === 0) continue;
    throw new UsageError(
      `the report folder ${dir} goes through ${current}, a symlink of another user in a folder others can write to; give the folder's real path`,
    );
  }
}

/**
 * In a sticky folder (like /tmp) only the owner of an entry, the folder's owner or root may rename over it, so a
 * report file another user left there would make the final rename fail after the whole run.
 */
function canReplace(folder: fs.Stats, entry: fs.Stats): boolean {
  const uid = process.geteuid?.();
  if (uid === undefined || uid === 0 || (folder.mode & STICKY) === 0) return true;
  return entry.uid === uid || folder.uid === uid;
}

function lstatOrUndefined(filePath: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot check ${filePath}: ${describeFsError(error)}`);
  }
}

function describeProbeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPERM' || code === 'EACCES') return 'files cannot be created there (permission denied)';
  return ReportWriteError.describe(error);
}
