import type { Command, ResolvedOptions } from './resolveOptions.js';
import {
  type CamelCase,
  camelName,
  OPTION_SPECS,
  type OptionCommand,
  type OptionName,
  optionsOfCommand,
} from './specs.js';

/**
 * What each command takes, as a type and as a value: the options its flags name (the specs' `commands`), plus the
 * command, the job file and, for sync and validate, the file. A ResolvedOptions fits every slice, so code that takes a
 * slice can be handed the whole object; a slice never holds an option its command does not take.
 */

/** The flag names `command` takes, as a type, from the specs. */
export type NamesOf<C extends OptionCommand> = {
  [N in OptionName]: C extends (typeof OPTION_SPECS)[N]['commands'][number] ? N : never;
}[OptionName];

type Slice<C extends OptionCommand, K extends Command, Extra extends keyof ResolvedOptions = never> = Readonly<
  Pick<ResolvedOptions, 'config' | Extra | CamelCase<NamesOf<C>>>
> & { readonly command: K };

/** sync takes every option but doctor's own `--probe-rate`. */
export type SyncOptions = Omit<ResolvedOptions, 'probeRate'> & { readonly command: 'sync' };
/** validate: reading, normalising and checking the file, and its report; nothing about the OMS or the checkpoint. */
export type ValidateOptions = Slice<'validate', 'validate', 'file'>;
/** doctor: where the OMS is, who for, and what a sync would be allowed to do. */
export type DoctorOptions = Slice<'doctor', 'doctor'>;
/** undo: where the OMS is, the checkpoint, the report, the pace. */
export type UndoOptions = Slice<'undo', 'undo'>;
/** runs, explain and report: the checkpoint, report's folder and redaction, and how to log. */
export type HistoryOptions = Slice<'runs' | 'explain' | 'report', 'history'>;

/** Each command's slice type, by the command resolveOptions is given. */
export interface OptionsOf {
  sync: SyncOptions;
  validate: ValidateOptions;
  doctor: DoctorOptions;
  undo: UndoOptions;
  history: HistoryOptions;
}

/** The flag commands each resolved command stands for. */
const FLAG_COMMANDS: Record<Command, readonly OptionCommand[]> = {
  sync: ['sync'],
  validate: ['validate'],
  doctor: ['doctor'],
  undo: ['undo'],
  history: ['runs', 'explain', 'report'],
};

/** The fields of `command`'s slice, in spec order. */
export function sliceFields(command: Command): (keyof ResolvedOptions)[] {
  const names = new Set(FLAG_COMMANDS[command].flatMap(optionsOfCommand));
  const fields = (Object.keys(OPTION_SPECS) as OptionName[]).filter((name) => names.has(name)).map(camelName);
  const file: (keyof ResolvedOptions)[] = command === 'sync' || command === 'validate' ? ['file'] : [];
  return ['command', ...file, 'config', ...fields];
}

/** The slice of `options` its command takes: a frozen object with those fields only. */
export function sliceOptions<C extends Command>(options: ResolvedOptions & { readonly command: C }): OptionsOf[C] {
  const slice: Record<string, unknown> = {};
  for (const field of sliceFields(options.command)) slice[field] = options[field];
  return Object.freeze(slice) as unknown as OptionsOf[C];
}
