import fs from 'node:fs';
import { createTempFile } from '../shared/privateFs.js';
import { findMetricsPathProblem } from './checkMetricsFile.js';

/**
 * Metrics hold counts and timestamps, no customer data, and node_exporter usually runs as a user of its own: the
 * file is readable by all, unlike the reports.
 */
const METRICS_FILE_MODE = 0o644;

/**
 * Writes `text` to `file` atomically, as node_exporter's textfile collector asks: a new temporary file in the same
 * folder (created exclusively, never following a symlink), flushed, then renamed over the final name, so the
 * collector never reads half a file and whatever stood at that name (a file, a planted symlink) is replaced, not
 * written through. The path is checked again first, as when the options were read (checkMetricsPath): a file or link
 * of another user that appeared there during the run is left as it is, and the metrics are not written.
 */
export function writeMetricsFile(file: string, text: string): void {
  const problem = findMetricsPathProblem(file);
  if (problem !== undefined) throw new Error(problem);
  const temp = createTempFile(file);
  let placed = false;
  try {
    try {
      fs.writeFileSync(temp.fd, text);
      fs.fchmodSync(temp.fd, METRICS_FILE_MODE);
      fs.fsyncSync(temp.fd);
    } finally {
      fs.closeSync(temp.fd);
    }
    fs.renameSync(temp.path, file);
    placed = true;
  } finally {
    if (!placed) fs.rmSync(temp.path, { force: true });
  }
}
