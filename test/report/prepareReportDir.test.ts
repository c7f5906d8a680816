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
const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 12345;

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

  // Only root can make files that belong to someone else.
  it.skipIf(!IS_ROOT)('refuses a symlink of another user on the path whatever its folder, and creates nothing', () => {
    // share/ (0755) and share/reports -> victim both belong to another user: the link is not followed.
    const share = path.join(temp.dir, 'share');
    const victim = path.join(temp.dir, 'victim');
    fs.mkdirSync(share, { mode: 0o755 });
    fs.mkdirSync(victim);
    const link = path.join(share, 'reports');
    fs.symlinkSync(victim, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    const dir = path.join(link, 'run1');
    expect(usageErrorMessage(() => prepareReportDir(dir))).toBe(
      `the report folder ${dir}: ${link} is a symbolic link of another user (uid ${OTHER_UID}), which customer-sync does not follow; give the real path`,
    );
    fs.chownSync(share, OTHER_UID, OTHER_UID);
    expect(usageErrorMessage(() => prepareReportDir(dir))).toMatch(
      new RegExp(`^the report folder ${dir}: ${share} is a folder of another user \\(uid ${OTHER_UID}\\)`),
    );
    expect(fs.readdirSync(victim)).toEqual([]);
    expect(fs.readdirSync(share)).toEqual(['reports']);
  });

  it.skipIf(!IS_ROOT)('refuses to write into a folder of another user, or to replace their report file', () => {
    const theirs = path.join(temp.dir, 'theirs');
    fs.mkdirSync(theirs);
    fs.chownSync(theirs, OTHER_UID, OTHER_UID);
    const dir = path.join(theirs, 'run1');
    expect(usageErrorMessage(() => prepareReportDir(dir))).toMatch(/is a folder of another user \(uid 12345\)/);
    expect(fs.readdirSync(theirs)).toEqual([]);

    // A shared sticky folder of ours holding another user's report.json: theirs stays, the run is refused.
    const shared = path.join(temp.dir, 'shared');
    fs.mkdirSync(shared);
    fs.chmodSync(shared, 0o1777);
    const planted = path.join(shared, 'report.json');
    fs.writeFileSync(planted, 'theirs');
    fs.chownSync(planted, OTHER_UID, OTHER_UID);
    expect(usageErrorMessage(() => prepareReportDir(shared))).toBe(
      `the report folder ${shared} holds a report.json of another user (uid ${OTHER_UID}), which customer-sync does not replace; move it away or pick another --report-dir`,
    );
    expect(fs.readdirSync(shared)).toEqual(['report.json']);
    expect(fs.readFileSync(planted, 'utf8')).toBe('theirs');
  });

  it('refuses a folder anyone can write to without the sticky bit, and takes /tmp-like sticky ones', () => {
    const open = path.join(temp.dir, 'open');
    fs.mkdirSync(open);
    fs.chmodSync(open, 0o777);
    const dir = path.join(open, 'run1');
    expect(usageErrorMessage(() => prepareReportDir(dir))).toBe(
      `the report folder ${dir}: ${open} is a folder anyone can write to (mode 0777, no sticky bit), where others could swap what it holds; pick another path`,
    );
    expect(fs.readdirSync(open)).toEqual([]);
    fs.chmodSync(open, 0o1777);
    prepareReportDir(dir);
    expect(mode(dir)).toBe(0o700);
  });

  it('follows a symlink of its own user to the folder it names', () => {
    const real = path.join(temp.dir, 'real');
    fs.mkdirSync(real);
    const link = path.join(temp.dir, 'link');
    fs.symlinkSync(real, link);
    prepareReportDir(path.join(link, 'run1'));
    expect(fs.readdirSync(real)).toEqual(['run1']);
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
