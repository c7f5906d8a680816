import type { ResolvedOptions } from '../../options/index.js';
import { settleValid } from '../../plan/decideStaging.js';
import type { Job } from '../runTypes.js';
import { type FileInput, fileJob } from './fileJob.js';

/**
 * `validate FILE` (SPEC §2): read, normalise, validate and find in-file duplicates, with no network and no
 * checkpoint (a scratch journal holds the rows); every row that passes is `valid`.
 */
export function validateJob(options: ResolvedOptions): Job<FileInput> {
  return fileJob(options, {
    mode: 'validate',
    hookMode: 'validate',
    store: 'scratch',
    check(log) {
      if (options.reportMissing) log.info('--report-missing needs the OMS: validate lists no missing customers');
    },
    apiHost: () => null,
    settle: () => settleValid,
    leavesRowsOpen: false,
    apply: () => undefined,
  });
}
