import { readJobFile } from './jobFile.js';
import { envName, OPTION_NAMES, type OptionName, specOf } from './specs.js';
import type { ValueCheck } from './values.js';

/** Option values as they arrive from one source, keyed by flag name. */
export type RawOptions = Partial<Record<OptionName, unknown>>;

/** A value as one source gave it, and that source as a message names it: `--rate`, `FLUENT_RATE`, `FILE: rate`. */
export interface PickedValue {
  value: unknown;
  source: string;
}

/** The sources of one command line, layered: flag > env > job file > default (SPEC §2). */
export interface OptionLayers {
  /** The job file read (`--config`, else `FLUENT_CONFIG`), if any. */
  readonly configPath: string | undefined;
  /** The value of `name` from the first source that gives one; undefined when none does (the default is not picked). */
  pick(name: OptionName): PickedValue | undefined;
  /** The value of `name` from the first source that gives one, else its default, checked by `check`. */
  get<T>(name: OptionName, check: ValueCheck<T>): T | undefined;
}

/** How messages name an option given directly: `--rate` on the command line, `options.rate` in the package API. */
export type NameGiven = (option: OptionName) => string;

/** The command line's way of naming an option given directly: its flag. */
export const flagName: NameGiven = (option) => `--${option}`;

/**
 * Reads env and the job file and layers them under the flags. `flags` holds only the flags the user actually gave
 * (or the options a program passed, named in messages by `nameGiven`); an env variable set to '' counts as not set.
 * The job file is read (and checked whole) here, before any value is.
 */
export function layerOptions(input: {
  flags: RawOptions;
  env: NodeJS.ProcessEnv;
  config?: string;
  nameGiven?: NameGiven;
  /** Options the caller does not take: no source is read for them, so their defaults hold. */
  ignore?: readonly OptionName[];
}): OptionLayers {
  const nameGiven = input.nameGiven ?? flagName;
  const ignored = new Set(input.ignore);
  const configPath = input.config ?? nonEmpty(input.env.FLUENT_CONFIG);
  const fromFile = configPath ? readJobFile(configPath) : {};
  const fromEnv = readEnvOptions(input.env);

  const pick = (name: OptionName): PickedValue | undefined => {
    if (ignored.has(name)) return undefined;
    if (input.flags[name] !== undefined) return { value: input.flags[name], source: nameGiven(name) };
    if (fromEnv[name] !== undefined) return { value: fromEnv[name], source: envName(name) };
    if (fromFile[name] !== undefined) return { value: fromFile[name], source: `${configPath}: ${name}` };
    return undefined;
  };
  const get = <T>(name: OptionName, check: ValueCheck<T>): T | undefined => {
    const picked = pick(name);
    if (picked) return check(picked.value, picked.source);
    const fallback = specOf(name).default;
    return fallback === undefined ? undefined : check(fallback, nameGiven(name));
  };
  return { configPath, pick, get };
}

/** `FLUENT_<NAME>` for every option that has one set. */
export function readEnvOptions(env: NodeJS.ProcessEnv): RawOptions {
  const out: RawOptions = {};
  for (const name of OPTION_NAMES) {
    const value = env[envName(name)];
    if (value !== undefined && value !== '') out[name] = value;
  }
  return out;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}
