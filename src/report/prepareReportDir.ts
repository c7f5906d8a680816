import fs from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import { checkTrustedPath, isOwnEntry } from '../shared/checkTrustedPath.js';
import { describeFsError } from '../shared/describeFsError.js';
import { createTempFile, ensurePrivateDir } from '../shared/privateFs.js';
import { ReportWriteError } from './ReportWriteError.js';
import { REPORT_FILE_NAMES } from './writeReport.js';

/**
 * Makes sure a report can be written to `dir` before the run sends its first request (SPEC §2: bad usage is exit 2
 * before any mutation): refuses a path through another user's symlink or folder (checkTrustedPath) before creating
 * anything, creates the folder (0700, an existing one keeps its mode), proves a file can be created and removed there,
 * and that no report file's name is taken by something the report must not replace: a folder, or a file or link of
 * another user (the tool touches only files it made). Otherwise every customer would be created and only then would
 * the run find it cannot say so. Throws a one-line UsageError naming the folder and the reason.
 */
export function prepareReportDir(dir: string): void {
  const { entry } = checkTrustedPath(dir, { subject: `the report folder ${dir}`, followLast: true });
  if (entry?.isDirectory()) checkReportNames(dir);
  try {
    ensurePrivateDir(dir);
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code === 'EEXIST' ? 'it is a file' : describeFsError(error);
    throw new UsageError(`cannot create the report folder ${dir}: ${reason}`);
  }

  try {
    const probe = createTempFile(path.join(dir, 'report.json'));
    fs.closeSync(probe.fd);
    fs.unlinkSync(probe.path);
  } catch (error) {
    throw new UsageError(
      `cannot write in the report folder ${dir}: ${describeProbeError(error)}; pick another --report-dir`,
    );
  }
}

/** No report file's name may be taken by a folder, or by a file or link of another user. */
function checkReportNames(dir: string): void {
  for (const name of REPORT_FILE_NAMES) {
    const taken = lstatOrUndefined(path.join(dir, name));
    if (!taken) continue;
    if (taken.isDirectory()) {
      throw new UsageError(
        `the report folder ${dir} holds a folder named ${name}, which a report file cannot replace; move it away or pick another --report-dir`,
      );
    }
    if (!isOwnEntry(taken)) {
      throw new UsageError(
        `the report folder ${dir} holds a ${name} of another user (uid ${taken.uid}), which customer-sync does not replace; move it away or pick another --report-dir`,
      );
    }
  }
}

function lstatOrUndefined(filePath: string): fs.Stats | undefined {
  try {
    return fs.lstatSync(filePath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new UsageError(`cannot check ${filePath}: ${describeFsError(error)}`);
  }
}

function describeProbeError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EPERM' || code === 'EACCES') return 'files cannot be created there (permission denied)';
  return ReportWriteError.describe(error);
}
