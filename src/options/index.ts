/**
 * Options: flags + env (`FLUENT_<NAME>`) + job file (`--config`) + defaults → one readonly ResolvedOptions, and the
 * slice of it each command takes. specs.ts says what options there are, layering.ts where a value comes from,
 * values.ts what it must be, jobFile.ts how a job file is read, slices.ts what each command takes.
 */
export { buildJobFileSchema, jobFileJsonSchema, readJobFile } from './jobFile.js';
export {
  flagName,
  layerOptions,
  type NameGiven,
  type OptionLayers,
  type PickedValue,
  type RawOptions,
  readEnvOptions,
} from './layering.js';
export {
  type Command,
  describeOptions,
  type ResolvedOptions,
  type ResolveInput,
  resolveOptions,
} from './resolveOptions.js';
export {
  type DoctorOptions,
  type HistoryOptions,
  type NamesOf,
  type OptionsOf,
  type SyncOptions,
  sliceFields,
  sliceOptions,
  type UndoOptions,
  type ValidateOptions,
} from './slices.js';
export {
  camelName,
  describeFor,
  envName,
  OPTION_COMMANDS,
  OPTION_NAMES,
  OPTION_SPECS,
  type OptionCommand,
  type OptionName,
  type OptionSpec,
  optionsOfCommand,
  specOf,
  VALIDATE_OPTIONS,
} from './specs.js';
export {
  type CheckContext,
  checkValue,
  type LogFormat,
  MAX_BATCH,
  type OnDuplicate,
  type OptionValue,
  type PhoneExtension,
  RANGES,
  type Shard,
  VALUE_CHECKS,
} from './values.js';
