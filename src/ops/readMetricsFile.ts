import fs from 'node:fs';
import { isOwnEntry } from '../shared/checkTrustedPath.js';
import { describeFsError } from '../shared/describeFsError.js';
import { findMetricsPathProblem } from './checkMetricsFile.js';
import { type MetricSample, parseMetricsText } from './parseMetricsText.js';

/** A metrics file of this tool is a few kilobytes; anything much larger at that name is not one. */
const MAX_METRICS_BYTES = 1024 * 1024;

/**
 * The samples of the metrics file an earlier run left at `file`, to carry its values on; none when there is no file.
 * Its path is checked as when the options were read (checkMetricsPath: no folder or link of another user); it is
 * opened without following a symlink and without blocking on a pipe, and read only when it is a plain file of this
 * user of modest size: this process reads nothing it did not make through a name someone else could plant, and
 * carries no value of another user's file into its own.
 *
 * @throws Error with a short reason when something other than a readable metrics file stands at that name
 */
export function readMetricsFile(file: string): MetricSample[] {
  const { O_RDONLY, O_NOFOLLOW = 0, O_NONBLOCK = 0 } = fs.constants;
  // No file (or no folder): nothing to carry over; the write says what stands in its way, if anything.
  if (fs.lstatSync(file, { throwIfNoEntry: false }) === undefined) return [];
  const problem = findMetricsPathProblem(file);
  if (problem !== undefined) throw new Error(problem);
  let fd: number;
  try {
    fd = fs.openSync(file, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new Error(describeFsError(error));
  }
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile()) throw new Error('it is not a plain file');
    if (!isOwnEntry(stat)) throw new Error(`it belongs to another user (uid ${stat.uid})`);
    if (stat.size > MAX_METRICS_BYTES) throw new Error(`it holds ${stat.size} bytes, more than a metrics file would`);
    return parseMetricsText(fs.readFileSync(fd, 'utf8'));
  } finally {
    fs.closeSync(fd);
  }
}
