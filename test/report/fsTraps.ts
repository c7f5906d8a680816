import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** Whether this process can create a file in `dir` right now. */
function canCreateIn(dir: string): boolean {
  const probe = path.join(dir, `.probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, '');
    fs.rmSync(probe);
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes the existing folder `dir` refuse new files, for root too: `chattr +i` (root ignores the mode bits), else
 * chmod 555 (enough for anyone else). Returns the undo, or undefined when neither works here (no chattr, a file
 * system without the flag).
 */
export function makeUnwritable(dir: string): (() => void) | undefined {
  try {
    if (process.getuid?.() === 0) execFileSync('chattr', ['+i', dir], { stdio: 'ignore' });
    else fs.chmodSync(dir, 0o555);
  } catch {
    return undefined;
  }
  const undo = () => {
    if (process.getuid?.() === 0) execFileSync('chattr', ['-i', dir], { stdio: 'ignore' });
    else fs.chmodSync(dir, 0o755);
  };
  if (canCreateIn(dir)) {
    undo();
    return undefined;
  }
  return undo;
}

/**
 * Mounts a tmpfs of `kib` KiB on the empty folder `dir`, a disk that really fills up. Needs root (or CAP_SYS_ADMIN);
 * returns the unmount, or undefined where mounting is not allowed.
 */
export function mountTinyDisk(dir: string, kib: number): (() => void) | undefined {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${kib}k,mode=0755`, 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    return undefined;
  }
  return () => execFileSync('umount', [dir], { stdio: 'ignore' });
}

/** Fills the disk holding `dir` with a file of our own until only about `leaveBytes` are free. */
export function fillDisk(dir: string, leaveBytes: number): void {
  const { bavail, bsize } = fs.statfsSync(dir);
  const size = Math.max(0, bavail * bsize - leaveBytes);
  fs.writeFileSync(path.join(dir, 'filler.bin'), Buffer.alloc(size));
}

/** Tries `trap` on a throw-away folder: whether the tests that need it can run on this machine. */
export function trapWorksHere(trap: (dir: string) => (() => void) | undefined): boolean {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'customer-sync-trap-'));
  try {
    const undo = trap(dir);
    undo?.();
    return undo !== undefined;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}
