import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { checkTrustedPath } from '../../src/shared/checkTrustedPath.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { aTempDir } from '../report/reportBuilders.js';

let temp: ReturnType<typeof aTempDir>;
beforeEach(() => {
  temp = aTempDir();
});
afterEach(() => temp.cleanup());

const IS_ROOT = process.geteuid?.() === 0;
const OTHER_UID = 12345;
const subject = 'the report folder x';

describe('checkTrustedPath', () => {
  it('resolves links one at a time as the kernel does, `..` after a link included, and says what is there', () => {
    const a = path.join(temp.dir, 'a');
    fs.mkdirSync(path.join(a, 'deep', 'er'), { recursive: true });
    fs.symlinkSync(path.join(a, 'deep', 'er'), path.join(temp.dir, 'link'));
    // link/.. is a/deep for the kernel, not temp.dir as a lexical reading of the path would say.
    fs.symlinkSync('../..', path.join(a, 'deep', 'er', 'up'));
    const found = checkTrustedPath(path.join(temp.dir, 'link', 'up', 'missing', 'file'), { subject });
    expect(found).toEqual({ real: path.join(temp.dir, 'a', 'missing', 'file'), entry: undefined });
    const folder = checkTrustedPath(path.join(temp.dir, 'link'), { subject, followLast: true });
    expect(folder.real).toBe(path.join(a, 'deep', 'er'));
    expect(folder.entry?.isDirectory()).toBe(true);
    const notFollowed = checkTrustedPath(path.join(temp.dir, 'link'), { subject });
    expect(notFollowed.entry?.isSymbolicLink()).toBe(true);
  });

  it('refuses a loop of links in one line', () => {
    fs.symlinkSync('b', path.join(temp.dir, 'a'));
    fs.symlinkSync('a', path.join(temp.dir, 'b'));
    const target = path.join(temp.dir, 'a', 'cp.sqlite');
    expect(usageErrorMessage(() => checkTrustedPath(target, { subject }))).toBe(
      `${subject}: ${target} goes through too many symbolic links`,
    );
  });

  it.skipIf(!IS_ROOT)('refuses a link of another user even where it points back into our own folders', () => {
    const ours = path.join(temp.dir, 'ours');
    fs.mkdirSync(ours);
    const link = path.join(temp.dir, 'theirs');
    fs.symlinkSync(ours, link);
    fs.lchownSync(link, OTHER_UID, OTHER_UID);
    expect(usageErrorMessage(() => checkTrustedPath(path.join(link, 'r'), { subject }))).toMatch(
      `${link} is a symbolic link of another user (uid ${OTHER_UID})`,
    );
    // Reading (a merge's shards) checks links only, so a folder of another user may be read, their link not.
    fs.chownSync(ours, OTHER_UID, OTHER_UID);
    expect(checkTrustedPath(ours, { subject, read: true, followLast: true }).real).toBe(ours);
    expect(() => checkTrustedPath(link, { subject, read: true, followLast: true })).toThrow(/symbolic link of another/);
    expect(() => checkTrustedPath(ours, { subject, followLast: true })).toThrow(/a folder of another user/);
  });

  it.skipIf(!IS_ROOT)(
    'follows a link of root or of its own user into a folder of another user, then refuses there',
    () => {
      const theirs = path.join(temp.dir, 'theirs');
      fs.mkdirSync(theirs);
      fs.chownSync(theirs, OTHER_UID, OTHER_UID);
      const link = path.join(temp.dir, 'link');
      fs.symlinkSync(theirs, link);
      expect(usageErrorMessage(() => checkTrustedPath(path.join(link, 'cp.sqlite'), { subject }))).toMatch(
        `${theirs} is a folder of another user (uid ${OTHER_UID})`,
      );
    },
  );
});
