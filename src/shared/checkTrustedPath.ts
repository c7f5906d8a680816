import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';

/** What checkTrustedPath found at the end of a path it accepts. */
export interface TrustedPath {
  /** The path with every symlink on it resolved: the real path of the part that exists, then the rest as given. */
  real: string;
  /** The last component as it stands (lstat; with `followLast`, what its links lead to); undefined when missing. */
  entry: fs.Stats | undefined;
}

/** As the kernel's own limit (MAXSYMLINKS): more links than this on one path is a loop, or meant to look like one. */
const MAX_LINKS = 40;
/** The sticky bit of a folder's mode (S_ISVTX), which Node's fs.constants does not name. */
export const STICKY = 0o1000;
const WRITABLE_BY_ALL = 0o002;

/**
 * Checks, before anything is created or opened there, that a path the tool is to write to (the report folder, the
 * checkpoint and its side files, the metrics file) leads only through what its user or root controls. The tool may
 * run as root in a folder others share; following what another user planted would let them choose where customers'
 * PII is written, or which file is replaced. Every component is looked at from `/` down, links resolved one at a time
 * as the kernel resolves them:
 * - a symbolic link is followed only when it belongs to root or to the user running the tool, whatever the mode of
 *   the folder holding it;
 * - every folder must belong to root or to that user (root's own folders such as `/`, `/var` or `/tmp` pass);
 * - no folder may be writable by everyone without the sticky bit (`/tmp`, 1777, passes: there only an entry's owner
 *   may rename or remove it), since anyone could swap what is in it for a link of theirs.
 * Group-writable folders pass: the group is the folder owner's choice (and on most systems the user's own group).
 * `read: true` (a merge reading shards' reports) checks links only: reading a folder of another user cannot put a file
 * anywhere. The last component, when it is a link, is followed only with `followLast`; whether an existing file there
 * may be used is the caller's to decide (see isOwnEntry). Parts that do not exist yet end the walk: the tool creates
 * them itself, owner-only. Where the platform has no user ids (Windows) nothing is checked.
 *
 * Checking and using are two steps, so a user who controls a folder on the path could still swap it in between; that
 * is why folders of others are refused outright rather than watched.
 *
 * @throws UsageError (exit 2) naming `subject` ("checkpoint x.sqlite"), the component refused and why
 */
export function checkTrustedPath(
  target: string,
  options: { subject: string; followLast?: boolean; read?: boolean },
): TrustedPath {
  const absolute = path.resolve(target);
  const uid = process.geteuid?.();
  if (uid === undefined) return { real: realPathOf(absolute), entry: lstatOrUndefined(absolute) };
  const { subject } = options;
  const root = path.parse(absolute).root;
  const checkFolder = (folder: string, stat: fs.Stats) => {
    if (options.read) return;
    if (!isTrustedOwner(stat.uid)) {
      throw new UsageError(
        `${subject}: ${folder} is a folder of another user (uid ${stat.uid}); customer-sync writes only where root or its own user (uid ${uid}) decides, so pick another path or run as that user`,
      );
    }
    if ((stat.mode & WRITABLE_BY_ALL) !== 0 && (stat.mode & STICKY) === 0) {
      throw new UsageError(
        `${subject}: ${folder} is a folder anyone can write to (mode ${(stat.mode & 0o7777).toString(8).padStart(4, '0')}, no sticky bit), where others could swap what it holds; pick another path`,
      );
    }
  };

  let real = root;
  checkFolder(root, fs.statSync(root));
  const pending = absolute.slice(root.length).split(path.sep);
  let links = 0;
  while (pending.length > 0) {
    const part = pending.shift() as string;
    if (part === '' || part === '.') continue;
    if (part === '..') {
      real = path.dirname(real);
      continue;
    }
    const next = path.join(real, part);
    const last = pending.every((rest) => rest === '' || rest === '.');
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(next);
    } catch {
      // Missing (created by the tool itself), or not reachable: the operation that follows says what is wrong.
      return { real: path.join(next, ...pending), entry: undefined };
    }
    if (stat.isSymbolicLink()) {
      if (last && !options.followLast) return { real: next, entry: stat };
      if (!isTrustedOwner(stat.uid)) {
        throw new UsageError(
          `${subject}: ${next} is a symbolic link of another user (uid ${stat.uid}), which customer-sync does not follow; give the real path`,
        );
      }
      if (++links > MAX_LINKS) throw new UsageError(`${subject}: ${target} goes through too many symbolic links`);
      const link = fs.readlinkSync(next);
      if (path.isAbsolute(link)) real = path.parse(link).root;
      pending.unshift(...link.split(path.sep));
      continue;
    }
    if (!stat.isDirectory()) {
      // A file in the middle of the path: the operation that follows fails on it, naming it.
      return last ? { real: next, entry: stat } : { real: path.join(next, ...pending), entry: undefined };
    }
    checkFolder(next, stat);
    real = next;
  }
  return { real, entry: fs.lstatSync(real) };
}

/** Root and the user running the tool: the only owners of a folder or link it goes through. */
export function isTrustedOwner(uid: number): boolean {
  const own = process.geteuid?.();
  return own === undefined || uid === 0 || uid === own;
}

/** Whether an existing file (or link) belongs to the user running the tool: the only kind it reads, replaces or opens. */
export function isOwnEntry(stat: fs.Stats): boolean {
  const own = process.geteuid?.();
  return own === undefined || stat.uid === own;
}

/** The real path of the part of `absolute` that exists, then the rest as given: where no walk is made. */
function realPathOf(absolute: string): string {
  const rest: string[] = [];
  for (let existing = absolute; ; existing = path.dirname(existing)) {
    try {
      return path.join(fs.realpathSync(existing), ...rest.reverse());
    } catch {
      if (path.dirname(existing) === existing) return absolute;
      rest.push(path.basename(existing));
    }
  }
}

function lstatOrUndefined(target: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(target);
  } catch {
    return undefined;
  }
}
