import fs from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ensurePrivateDir, openPrivateFile } from '../src/privateFs.js';
import { aTempDir } from './report/reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const mode = (filePath: string): number => fs.statSync(filePath).mode & 0o777;

describe('privateFs', () => {
  it('creates every missing folder owner-only and leaves existing parents alone', () => {
    fs.chmodSync(temp.dir, 0o755);
    const leaf = path.join(temp.dir, 'a', 'b', 'c');
    ensurePrivateDir(leaf);
    expect(mode(temp.dir)).toBe(0o755);
    for (const dir of ['a', 'a/b', 'a/b/c']) expect(mode(path.join(temp.dir, dir)), dir).toBe(0o700);
  });

  it('leaves a folder that already existed as it was', () => {
    fs.chmodSync(temp.dir, 0o755);
    ensurePrivateDir(temp.dir);
    expect(mode(temp.dir)).toBe(0o755);
  });

  // process.umask cannot be changed from a worker thread (vitest's `threads` pool).
  it.skipIf(!isMainThread)('creates private folders even under a permissive umask', () => {
    const previous = process.umask(0o000);
    try {
      ensurePrivateDir(path.join(temp.dir, 'x', 'y'));
    } finally {
      process.umask(previous);
    }
    expect(mode(path.join(temp.dir, 'x'))).toBe(0o700);
    expect(mode(path.join(temp.dir, 'x', 'y'))).toBe(0o700);
  });

  it('opens new and existing files as 0600, truncating the old content', () => {
    const file = path.join(temp.dir, 'report.json');
    fs.writeFileSync(file, 'old content');
    fs.chmodSync(file, 0o666);
    const fd = openPrivateFile(file);
    fs.writeSync(fd, 'new');
    fs.closeSync(fd);
    expect(mode(file)).toBe(0o600);
    expect(fs.readFileSync(file, 'utf8')).toBe('new');
  });

  it('refuses to write through a symlink planted at the file name', () => {
    const target = path.join(temp.dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'keep me');
    const link = path.join(temp.dir, 'outcomes.csv');
    fs.symlinkSync(target, link);
    expect(() => openPrivateFile(link)).toThrow(/ELOOP/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');
  });
});
