import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
/** A clash with an unguessable name means someone is planting names; a few tries tell that apart from bad luck. */
const TEMP_NAME_TRIES = 5;

/**
 * Creates `dir` and any missing parents owner-only (0700), because reports and the checkpoint hold customers' PII
 * (SPEC §4). The folders this creates are chmod-ed explicitly (mkdir's mode is filtered by the umask); folders that
 * already existed are not touched, so `--report-dir .` or a shared /var/lib folder keeps the mode its owner chose.
 */
export function ensurePrivateDir(dir: string): void {
  const missing: string[] = [];
  for (let current = path.resolve(dir); !fs.existsSync(current); current = path.dirname(current)) {
    missing.push(current);
    if (path.dirname(current) === current) break;
  }
  fs.mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  for (const created of missing) fs.chmodSync(created, PRIVATE_DIR_MODE);
}

/**
 * Creates a new file owner-only (0600) and opens it for writing; returns the descriptor, the caller closes it.
 * Never opens what is already there: O_EXCL refuses an existing file (one another user planted in a shared folder
 * stays theirs, untouched) and O_NOFOLLOW with O_EXCL refuses a symlink, even one pointing nowhere, so a planted
 * link cannot make this process create or overwrite a file elsewhere.
 */
export function createPrivateFile(filePath: string): number {
  const { O_WRONLY, O_CREAT, O_EXCL, O_NOFOLLOW = 0 } = fs.constants;
  const fd = fs.openSync(filePath, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    // A umask wider than 077 could have left it narrower than 0600; the mode is the same on every run this way.
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}

/** A private file created beside the name it will be renamed to. */
export interface TempFile {
  path: string;
  fd: number;
}

/**
 * Creates a private temporary file in the folder of `finalPath`, named `.NAME.RANDOM.tmp`, to be renamed over
 * `finalPath` once it is complete: rename replaces whatever file or symlink is at the final name without opening
 * or following it, and readers never see a half-written file there. The random part makes the name unguessable,
 * so nobody can plant something at it in advance.
 */
export function createTempFile(finalPath: string): TempFile {
  const dir = path.dirname(finalPath);
  const name = path.basename(finalPath);
  for (let attempt = 1; ; attempt++) {
    const tempPath = path.join(dir, `.${name}.${crypto.randomBytes(8).toString('hex')}.tmp`);
    try {
      return { path: tempPath, fd: createPrivateFile(tempPath) };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= TEMP_NAME_TRIES) throw error;
    }
  }
}
