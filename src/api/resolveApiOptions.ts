import { UsageError } from '../errors.js';
import {
  camelName,
  type OptionName,
  optionsOfCommand,
  type RawOptions,
  type ResolvedOptions,
  resolveOptions,
} from '../options/index.js';
import { suggestName } from '../shared/suggestName.js';

/** What the API's functions take besides options (apiTypes' RunSettings, OmsSettings and the file). */
const SETTINGS = new Set(['file', 'env', 'config', 'logger', 'signal', 'credentials']);

/** The options a function of the API takes, and how they resolve. */
export interface ApiOptionSet<C extends 'sync' | 'validate'> {
  /** The function, as messages name it. */
  name: string;
  /** The command whose options and checks it has. */
  command: C;
  /** The options of the command it does not take: never read from any source, their defaults hold. */
  without?: readonly OptionName[];
}

/**
 * The package API's options → ResolvedOptions, through the command line's own resolveOptions (SPEC §7): the long option
 * names in camelCase, layered over `FLUENT_<NAME>` env and the job file the same way, each value checked by the same
 * check, a problem named as the program spelled it (`options.rate must be …`). A key that is no option of the
 * function is refused, with the option it most likely meant; an undefined value counts as not given. Credentials are
 * never options (they are settings: the API reads them apart).
 *
 * @throws UsageError naming the option, what was given and what is allowed
 */
export function resolveApiOptions<C extends 'sync' | 'validate'>(
  set: ApiOptionSet<C>,
  given: Readonly<Record<string, unknown>>,
  input: { file: string; env: NodeJS.ProcessEnv; config: string | undefined; warn: (message: string) => void },
): ResolvedOptions & { readonly command: C } {
  const without = new Set(set.without ?? []);
  const taken = optionsOfCommand(set.command).filter((name) => !without.has(name));
  const byKey = new Map(taken.map((name) => [camelName(name) as string, name]));
  const flags: RawOptions = {};
  for (const [key, value] of Object.entries(given)) {
    if (SETTINGS.has(key)) continue;
    const name = byKey.get(key);
    if (name === undefined) throw new UsageError(describeUnknown(set.name, key, byKey, without));
    if (value !== undefined) flags[name] = value;
  }
  return resolveOptions({
    command: set.command,
    file: input.file,
    flags,
    env: input.env,
    config: input.config,
    warn: input.warn,
    nameGiven: (name) => (byKey.has(camelName(name)) ? `options.${camelName(name)}` : undefined),
    ignore: [...without],
  });
}

function describeUnknown(
  fn: string,
  key: string,
  byKey: ReadonlyMap<string, OptionName>,
  without: ReadonlySet<OptionName>,
): string {
  if ([...without].some((name) => camelName(name) === key)) {
    return `${fn} does not take the option "${key}", which syncFile has`;
  }
  if (CREDENTIAL_KEYS.has(key)) {
    return `${fn} takes no credential among its options: pass them as \`credentials\`, or in FLUENT_* env variables`;
  }
  const near = suggestName(key, byKey.keys());
  return `${fn} has no option "${key}"${near === undefined ? '' : ` (did you mean ${near}?)`}`;
}

/** Keys of the credentials object: one given among the options is a credential in the wrong place. */
const CREDENTIAL_KEYS = new Set(['clientId', 'clientSecret', 'username', 'password', 'accessToken', 'accountId']);
