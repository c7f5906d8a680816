import type { Argv } from 'yargs';
import {
  describeFor,
  envName,
  OPTION_NAMES,
  type OptionCommand,
  optionsOfCommand,
  type RawOptions,
  specOf,
} from '../options/index.js';

/**
 * The options `command` takes (OPTION_SPECS' `commands`) as yargs flags, and `--config`, without defaults so flag >
 * env > job file > default holds. Values are left to resolveOptions to check: yargs would turn `--rate fast` into NaN
 * and refuse a bad choice in several lines, where resolveOptions says in one what was given and what is allowed.
 */
export function withRunOptions<T>(y: Argv<T>, command: OptionCommand, withFile = false): Argv<T> {
  let out = (withFile
    ? y.positional('file', { type: 'string', describe: 'the CSV, .csv.gz or .xlsx file, or - for stdin' })
    : y) as unknown as Argv<T>;
  for (const name of optionsOfCommand(command)) {
    const spec = specOf(name);
    const choices = spec.choices ? ` (one of: ${spec.choices.join(', ')})` : '';
    out = out.option(name, {
      // Numbers stay as typed (yargs still reads digits as a number), so a bad one is quoted back as given.
      ...(spec.type === 'number' ? {} : { type: spec.type }),
      describe: `${describeFor(name, command)}${choices} [${envName(name)}]`,
      ...(spec.default === undefined ? {} : { defaultDescription: String(spec.default) }),
      requiresArg: spec.type !== 'boolean',
    }) as unknown as Argv<T>;
  }
  return out.option('config', {
    type: 'string',
    describe: 'job file (JSON, the same option names); flags and env win over it',
    requiresArg: true,
  }) as unknown as Argv<T>;
}

/** The flags of `command` for messages about flags: its options, and `--config` where it reads a job file. */
export function runFlagsOf(command: OptionCommand): string[] {
  return [...optionsOfCommand(command), 'config'];
}

/** The flags the user actually typed, by option name (yargs also adds camelCase twins, which are skipped). */
export function pickFlags(args: Record<string, unknown>): RawOptions {
  const flags: RawOptions = {};
  for (const name of OPTION_NAMES) {
    if (args[name] !== undefined) flags[name] = args[name];
  }
  return flags;
}

/** --log-format from the flags or env, looked at before yargs runs, so even a usage error comes as a JSON line. */
export function earlyLogFormat(argv: readonly string[], env: NodeJS.ProcessEnv): 'text' | 'json' {
  const at = argv.indexOf('--log-format');
  const flag = at === -1 ? argv.find((a) => a.startsWith('--log-format='))?.slice(13) : argv[at + 1];
  return (flag ?? env[envName('log-format')]) === 'json' ? 'json' : 'text';
}

/** The file a command reads, as typed: yargs reads a lone `-` as an empty string, and `-` is standard input (SPEC §2). */
export function fileArgument(args: Record<string, unknown>, argv: readonly string[]): string {
  return args.file === '' && argv.includes('-') ? '-' : String(args.file);
}
