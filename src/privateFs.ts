import fs from 'node:fs';
import path from 'node:path';

const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;

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
 * Opens `filePath` for writing (created or truncated), owner-only (0600) even when the file already existed
 * with a wider mode. Refuses to follow a symlink at the last path component, so a planted link cannot make
 * the report overwrite another file. Returns the file descriptor; the caller closes it.
 */
export function openPrivateFile(filePath: string): number {
  const { O_WRONLY, O_CREAT, O_TRUNC, O_NOFOLLOW = 0 } = fs.constants;
  const fd = fs.openSync(filePath, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, PRIVATE_FILE_MODE);
  try {
    fs.fchmodSync(fd, PRIVATE_FILE_MODE);
  } catch (error) {
    fs.closeSync(fd);
    throw error;
  }
  return fd;
}
