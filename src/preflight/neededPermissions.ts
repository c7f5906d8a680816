import type { WriteMode } from '../types.js';
import type { CustomerPermission } from './assessLogin.js';

/**
 * The customer permissions a run needs for what it may do (SPEC §1): CUSTOMER_VIEW always; CUSTOMER_CREATE unless it
 * is a dry run or `--mode update-only`; CUSTOMER_UPDATE unless it is a dry run or `--mode create-only`. Pure.
 */
export function neededPermissions(run: { dryRun: boolean; writeMode?: WriteMode | undefined }): CustomerPermission[] {
  if (run.dryRun) return ['CUSTOMER_VIEW'];
  const mode = run.writeMode ?? 'upsert';
  return [
    'CUSTOMER_VIEW',
    ...(mode === 'update-only' ? [] : (['CUSTOMER_CREATE'] as const)),
    ...(mode === 'create-only' ? [] : (['CUSTOMER_UPDATE'] as const)),
  ];
}
