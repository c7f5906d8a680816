import fs from 'node:fs';
import path from 'node:path';
import { describeFsError } from '../describeFsError.js';
import { UsageError } from '../errors.js';

/**
 * Checks `--metrics-file` (SPEC §2) when the options are read: its folder must already exist, since it is
 * node_exporter's textfile folder, which this tool must not create (owner-only, the collector could not read it),
 * and the name must not be a folder. A wrong path is exit 2 before any request, not a warning after the run.
 */
export function checkMetricsFile(value: unknown, source: string): string {
  const file = typeof value === 'string' ? value.trim() : '';
  if (file === '') throw new UsageError(`${source} must name a file, e.g. /var/lib/node_exporter/customer_sync.prom`);
  const folder = path.dirname(path.resolve(file));
  let stat: fs.Stats;
  try {
    stat = fs.statSync(folder);
  } catch (error) {
    throw new UsageError(`${source}: the folder ${folder} cannot be used (${describeFsError(error)}); create it first`);
  }
  if (!stat.isDirectory()) throw new UsageError(`${source}: ${folder} is not a folder`);
  if (fs.lstatSync(file, { throwIfNoEntry: false })?.isDirectory()) {
    throw new UsageError(
      `${source}: ${file} is a folder; name the file to write, e.g. ${path.join(file, 'customer_sync.prom')}`,
    );
  }
  return file;
}
