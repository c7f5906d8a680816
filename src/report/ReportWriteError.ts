import { AbortError } from '../errors.js';
import { describeFsError } from '../shared/describeFsError.js';

/**
 * The report could not be written (a full disk, an I/O error, the folder removed during the run). Exit 3 like any
 * abort: the run itself is over and recorded, every outcome is in the checkpoint, and no half-written file is left
 * under a report file's name. One line naming the folder and the reason.
 */
export class ReportWriteError extends AbortError {
  override name = 'ReportWriteError';

  constructor(dir: string, runId: string, cause: unknown) {
    super(
      `cannot write the report in ${dir}: ${ReportWriteError.describe(cause)}; every outcome of run ${runId} is kept in the checkpoint`,
      { cause },
    );
  }

  /** Whether `error` is a failure of the file system (it has a system call and a code), not a bug. */
  static isFsError(error: unknown): error is NodeJS.ErrnoException {
    const e = error as NodeJS.ErrnoException | null;
    return typeof e?.syscall === 'string' && typeof e.code === 'string';
  }

  /** A file system error in a few plain words (`the disk is full`), for this message and for the folder check. */
  static describe(error: unknown): string {
    // While writing, a missing path means the folder went away under the run.
    if ((error as NodeJS.ErrnoException).code === 'ENOENT')
      return 'the folder is gone (was it removed during the run?)';
    return describeFsError(error);
  }
}
