import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { prepareReportDir } from '../../src/report/prepareReportDir.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { makeUnwritable, trapWorksHere } from './fsTraps.js';
import { aTempDir } from './reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const mode = (filePath: string): number => fs.statSync(filePath).mode & 0o777;
const UNWRITABLE = trapWorksHere(makeUnwritable);

describe('prepareReportDir', () => {
  it('creates missing folders 0700 and leaves nothing in them', () => {
    const dir = path.join(temp.dir, 'reports', 'run-1');
    prepareReportDir(dir);
    expect(mode(path.join(temp.dir, 'reports'))).toBe(0o700);
    expect(mode(dir)).toBe(0o700);
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('accepts a folder holding files and symlinks at report names (a rename replaces them), and touches none', () => {
    fs.chmodSync(temp.dir, 0o755);
    fs.writeFileSync(path.join(temp.dir, 'outcomes.csv'), 'old');
    fs.symlinkSync('/nowhere', path.join(temp.dir, 'report.json'));
    prepareReportDir(temp.dir);
    expect(fs.readFileSync(path.join(temp.dir, 'outcomes.csv'), 'utf8')).toBe('old');
    expect(fs.readlinkSync(path.join(temp.dir, 'report.json'))).toBe('/nowhere');
    expect(fs.readdirSync(temp.dir).sort()).toEqual(['outcomes.csv', 'report.json']);
    expect(mode(temp.dir)).toBe(0o755);
  });

  it('refuses a file where the folder should be, naming it', () => {
    const file = path.join(temp.dir, 'reports');
    fs.writeFileSync(file, '');
    expect(usageErrorMessage(() => prepareReportDir(file))).toBe(
      `cannot create the report folder ${file}: it is a file`,
    );
    expect(usageErrorMessage(() => prepareReportDir(path.join(file, 'run-1')))).toBe(
      `cannot create the report folder ${path.join(file, 'run-1')}: a part of the path is a file, not a folder`,
    );
  });

  it('refuses a folder at a report file name, which no rename can replace', () => {
    fs.mkdirSync(path.join(temp.dir, 'report.json'));
    const message = usageErrorMessage(() => prepareReportDir(temp.dir));
    expect(message).toContain(temp.dir);
    expect(message).toContain('a folder named report.json');
  });

  // Only root can make a symlink that belongs to someone else.
  it.skipIf(process.getuid?.() !== 0)('refuses to go through a symlink another user planted in a shared folder', () => {
    const shared = path.join(temp.dir, 'shared');
    const elsewhere = path.join(temp.dir, 'elsewhere');
    fs.mkdirSync(shared);
    fs.mkdirSync(elsewhere);
    fs.chmodSync(shared, 0o1777);
    const link = path.join(shared, 'reports');
    fs.symlinkSync(elsewhere, link);
    fs.lchownSync(link, 1234, 1234);
    const dir = path.join(link, 'run-1');
    expect(usageErrorMessage(() => prepareReportDir(dir))).toBe(
      `the report folder ${dir} goes through ${link}, a symlink of another user in a folder others can write to; give the folder's real path`,
    );
    expect(fs.readdirSync(elsewhere)).toEqual([]);

    // The same link in a folder only its owner can write to is followed as asked.
    fs.chmodSync(shared, 0o755);
    prepareReportDir(dir);
    expect(fs.readdirSync(elsewhere)).toEqual(['run-1']);
  });

  it.skipIf(!UNWRITABLE)('refuses an existing folder where no file can be created, naming it', () => {
    const dir = path.join(temp.dir, 'locked');
    fs.mkdirSync(dir);
    const undo = makeUnwritable(dir);
    try {
      expect(usageErrorMessage(() => prepareReportDir(dir))).toBe(
        `cannot write in the report folder ${dir}: files cannot be created there (permission denied); pick another --report-dir`,
      );
    } finally {
      undo?.();
    }
  });
});
