import fs from 'node:fs';
import path from 'node:path';
import { isMainThread } from 'node:worker_threads';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createPrivateFile, createTempFile, ensurePrivateDir } from '../../src/shared/privateFs.js';
import { aTempDir } from '../report/reportBuilders.js';

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

  it('creates new files 0600, and refuses to open one that exists, leaving it as it was', () => {
    const file = path.join(temp.dir, 'report.json');
    const fd = createPrivateFile(file);
    fs.writeSync(fd, 'new');
    fs.closeSync(fd);
    expect(mode(file)).toBe(0o600);

    const planted = path.join(temp.dir, 'outcomes.csv');
    fs.writeFileSync(planted, 'theirs');
    fs.chmodSync(planted, 0o644);
    expect(() => createPrivateFile(planted)).toThrow(/EEXIST/);
    expect(fs.readFileSync(planted, 'utf8')).toBe('theirs');
    expect(mode(planted)).toBe(0o644);
  });

  it('refuses a symlink planted at the file name, even one pointing nowhere, and creates nothing through it', () => {
    const target = path.join(temp.dir, 'elsewhere.txt');
    fs.writeFileSync(target, 'keep me');
    fs.symlinkSync(target, path.join(temp.dir, 'outcomes.csv'));
    expect(() => createPrivateFile(path.join(temp.dir, 'outcomes.csv'))).toThrow(/EEXIST/);
    expect(fs.readFileSync(target, 'utf8')).toBe('keep me');

    const nowhere = path.join(temp.dir, 'would-be-created.txt');
    fs.symlinkSync(nowhere, path.join(temp.dir, 'report.json'));
    expect(() => createPrivateFile(path.join(temp.dir, 'report.json'))).toThrow(/EEXIST/);
    expect(fs.existsSync(nowhere)).toBe(false);
  });

  it('creates temporary files beside the final name, hidden, unguessable and private', () => {
    const finalPath = path.join(temp.dir, 'report.json');
    const first = createTempFile(finalPath);
    const second = createTempFile(finalPath);
    fs.closeSync(first.fd);
    fs.closeSync(second.fd);
    for (const file of [first, second]) {
      expect(path.dirname(file.path)).toBe(temp.dir);
      expect(path.basename(file.path)).toMatch(/^\.report\.json\.[0-9a-f]{16}\.tmp$/);
      expect(mode(file.path)).toBe(0o600);
    }
    expect(first.path).not.toBe(second.path);
    expect(fs.existsSync(finalPath)).toBe(false);
  });
});
