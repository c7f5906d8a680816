/**
 * The package API (SPEC §7): `import { syncFile, validateFile, ensureCustomers, createSandbox } from 'customer-sync'`.
 * The command line runs on these same functions. docs/api.md is the reference.
 */
export type {
  Credentials,
  CustomerRecord,
  EnsureCustomersOptions,
  EnsureOutcome,
  EnsureResult,
  FileRunResult,
  Logger,
  NotForEnsure,
  OmsSettings,
  OptionInput,
  OptionsNamed,
  OutcomeRow,
  RunSettings,
  SandboxHandle,
  SyncFileOptions,
  ValidateFileOptions,
} from './api/apiTypes.js';
export { type CreateSandboxOptions, createSandbox } from './api/createSandbox.js';
export { ensureCustomers } from './api/ensureCustomers.js';
export { syncFile } from './api/syncFile.js';
export { validateFile } from './api/validateFile.js';
export { AbortError, UsageError } from './errors.js';
export { ReportWriteError } from './report/ReportWriteError.js';
export type { ReportSummary } from './report/reportTypes.js';
export type {
  SandboxCredentials,
  SandboxCustomer,
  SandboxFaults,
  SandboxOptions,
  SandboxStats,
  SeedCustomer,
} from './sandbox/sandboxTypes.js';
