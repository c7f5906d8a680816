import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { Shard } from '../options/index.js';
import { checkTrustedPath, isOwnEntry, isTrustedOwner } from '../shared/checkTrustedPath.js';
import { describeFsError } from '../shared/describeFsError.js';

/**
 * Checks `--metrics-file` (SPEC §2) when the options are read, so a path that cannot be used is exit 2 before any
 * request, not a warning after the run (checkMetricsPath says what is checked). With `--shard K/N` the file written is
 * the one of that shard (shardMetricsFile): the shards of one job write side by side into one textfile folder.
 *
 * @returns the file the run writes
 */
export function checkMetricsFile(value: unknown, source: string, shard?: Shard): string {
  const given = typeof value === 'string' ? value.trim() : '';
  if (given === '') throw new UsageError(`${source} must name a file, e.g. /var/lib/node_exporter/customer_sync.prom`);
  const file = shard ? shardMetricsFile(given, shard) : given;
  checkMetricsPath(file, source);
  return file;
}

/**
 * The metrics file of shard K of N: `customer_sync.prom` → `customer_sync-shard-2-of-4.prom`. node_exporter reads
 * every `*.prom` file of its folder, so each shard's series (labelled `shard="2-of-4"`) stand beside the others' instead
 * of the last shard to finish replacing them.
 */
export function shardMetricsFile(file: string, shard: Shard): string {
  const extension = path.extname(file);
  const base = file.slice(0, file.length - extension.length);
  return `${base}-shard-${shard.index}-of-${shard.count}${extension}`;
}

/**
 * What a metrics file must be for this tool to read it and replace it, checked when the options are read and again
 * at the run's end:
 * - its path goes only through folders and links of root or this user (checkTrustedPath);
 * - its folder exists, since it is node_exporter's textfile folder, which this tool must not create (owner-only, the
 *   collector could not read it);
 * - what stands at its name, if anything, is a regular file of this user, or a link of root or this user (replaced by
 *   the rename, never followed). A file of another user is neither read (its values would be carried on: a planted
 *   last success would keep an alert from ever firing) nor replaced.
 *
 * @throws UsageError naming `source` and the problem
 */
export function checkMetricsPath(file: string, source: string): void {
  const { entry } = checkTrustedPath(file, { subject: `${source} ${file}` });
  const folder = path.dirname(path.resolve(file));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (error) {
    throw new UsageError(`${source}: the folder ${folder} cannot be used (${describeFsError(error)}); create it first`);
  }
  if (!stat.isDirectory()) throw new UsageError(`${source}: ${folder} is not a folder`);
  if (!entry) return;
  if (entry.isDirectory()) {
    throw new UsageError(
      `${source}: ${file} is a folder; name the file to write, e.g. ${path.join(file, 'customer_sync.prom')}`,
    );
  }
  if (entry.isSymbolicLink()) {
    if (isTrustedOwner(entry.uid)) return;
    throw new UsageError(
      `${source}: ${file} is a symbolic link of another user (uid ${entry.uid}), which customer-sync neither follows nor replaces; remove it or name another file`,
    );
  }
  if (!entry.isFile()) throw new UsageError(`${source}: ${file} is not a regular file; name another file`);
  if (!isOwnEntry(entry)) {
    throw new UsageError(
      `${source}: ${file} belongs to another user (uid ${entry.uid}); customer-sync neither reads nor replaces it: remove it or name another file`,
    );
  }
}

/**
 * What checkMetricsPath finds wrong with `file` at the run's end, as a reason for a warning ("… is not read: REASON"),
 * or undefined when the file can be read and replaced.
 */
export function findMetricsPathProblem(file: string): string | undefined {
  const source = '--metrics-file';
  try {
    checkMetricsPath(file, source);
    return undefined;
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    const { message } = error;
    for (const subject of [`${source} ${file}: `, `${source}: `]) {
      if (message.startsWith(subject)) return message.slice(subject.length);
    }
    return message;
  }
}
