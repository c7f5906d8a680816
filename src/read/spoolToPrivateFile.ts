import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import type { RandomAccess } from './openZipArchive.js';

/** A copy of a stream that can be read at any offset, held by an open descriptor to a file with no name. */
export interface SpooledFile extends RandomAccess {
  close(): Promise<void>;
}

/** Why spooling stopped: the stream holds more than `maxBytes`. */
export class SpoolLimitError extends Error {
  override name = 'SpoolLimitError';
}

/** How the folders this module makes are named in the temp folder, so a later run knows them. */
export const SPOOL_PREFIX = 'customer-sync-spool-';
/** A spool folder lives microseconds; one this old was left by a process killed at that moment. */
const STALE_MS = 10 * 60 * 1000;

/**
 * Copies `stream` into a private file that has no name by the time a byte is written: a folder of our own (0700,
 * from mkdtemp) in the temp folder, a file created in it exclusively (0600, no symlink followed), then both removed
 * while the descriptor stays open. So nothing of the data is ever reachable by a path, and nothing is left behind
 * however the process ends: the kernel frees the file with the last descriptor, `kill -9` included. Only a kill in
 * the microseconds before the removal can leave an empty folder, which the next spool sweeps (sweepSpoolFolders).
 *
 * @throws SpoolLimitError past `maxBytes`; the stream's own error, or a premature close when it is destroyed
 */
export async function spoolToPrivateFile(
  stream: Readable,
  options: { maxBytes: number; tempDir?: string },
): Promise<SpooledFile> {
  const tempDir = options.tempDir ?? os.tmpdir();
  sweepSpoolFolders(tempDir);
  const folder = await fs.promises.mkdtemp(path.join(tempDir, SPOOL_PREFIX));
  const file = path.join(folder, 'spool');
  let handle: fs.promises.FileHandle | undefined;
  try {
    const { O_RDWR, O_CREAT, O_EXCL, O_NOFOLLOW } = fs.constants;
    handle = await fs.promises.open(file, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW, 0o600);
  } finally {
    await fs.promises.rm(file, { force: true });
    await fs.promises.rmdir(folder);
  }
  let size = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      if (size + chunk.length > options.maxBytes) throw new SpoolLimitError(`more than ${options.maxBytes} bytes`);
      for (let written = 0; written < chunk.length; ) {
        written += (await handle.write(chunk, written, chunk.length - written, size + written)).bytesWritten;
      }
      size += chunk.length;
    }
  } catch (error) {
    await handle.close();
    throw error;
  }
  const open = handle;
  return {
    size,
    read: (position, length) => readAt(open, position, length),
    close: () => open.close(),
  };
}

/** Reads `length` bytes at `position` of an open file, fewer only at its end. */
export async function readAt(handle: fs.promises.FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.allocUnsafe(length);
  let done = 0;
  while (done < length) {
    const { bytesRead } = await handle.read(buffer, done, length - done, position + done);
    if (bytesRead === 0) break;
    done += bytesRead;
  }
  return done === length ? buffer : buffer.subarray(0, done);
}

/**
 * Removes the spool folders a killed process left: only folders (not symlinks) named with SPOOL_PREFIX, owned by
 * this user, private (no group or other bits) and older than a spool ever lives, and in them only what is not a
 * folder (unlink never follows a link). Anything else is left as it is; failures are ignored.
 */
export function sweepSpoolFolders(tempDir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = fs.readdirSync(tempDir).filter((name) => name.startsWith(SPOOL_PREFIX));
  } catch {
    return;
  }
  const uid = process.getuid?.();
  for (const name of names) {
    const folder = path.join(tempDir, name);
    try {
      const stat = fs.lstatSync(folder);
      if (!stat.isDirectory() || (stat.mode & 0o077) !== 0 || now - stat.mtimeMs < STALE_MS) continue;
      if (uid !== undefined && stat.uid !== uid) continue;
      for (const entry of fs.readdirSync(folder)) {
        const inside = path.join(folder, entry);
        if (!fs.lstatSync(inside).isDirectory()) fs.unlinkSync(inside);
      }
      fs.rmdirSync(folder);
    } catch {
      // Someone else's, in use, or gone already: not ours to insist on.
    }
  }
}
