import { suggestName } from '../shared/suggestName.js';

/** What the command line looked like when yargs refused it. */
export interface ParseContext {
  /** The words the user typed after `customer-sync`. */
  argv: readonly string[];
  /** The command yargs was parsing when it failed, if it got that far. */
  command: string | undefined;
  /** Every command, with the flags it takes (without dashes); a command missing here gets plainer messages. */
  commands: ReadonlyMap<string, readonly string[]>;
  /** One line on each flag, for "needs a value" messages. */
  describe: (flag: string) => string | undefined;
}

const HELP = 'customer-sync --help';

/**
 * Turns a yargs parse failure into one line that says what was wrong and what to do (SPEC §2): an unknown flag with
 * the flag it most likely meant, a flag of another command naming both, a missing file or value, an extra word, an
 * unknown command. yargs' own wording (several lines, camelCase twins of flags, "non-option arguments") never reaches
 * the user; a failure not recognised here keeps yargs' first line and points to --help.
 */
export function explainParseFailure(message: string, context: ParseContext): string {
  const { command } = context;
  const help = command === undefined ? HELP : `customer-sync ${command} --help`;

  const unknown = /^Unknown arguments?: (.+)$/s.exec(message);
  if (unknown) return explainUnknown((unknown[1] as string).split(', '), context, help);

  if (/^Not enough non-option arguments/.test(message)) {
    if (command === 'sync' || command === 'validate') {
      return `${command} needs the file to read: customer-sync ${command} <file> (a .csv, .csv.gz or .xlsx file, or - for standard input)`;
    }
    return `name a command: ${[...context.commands.keys()].join(', ')} (see ${HELP})`;
  }

  const missingValue = /^Not enough arguments following: (.+)$/.exec(message);
  if (missingValue) {
    const flag = missingValue[1] as string;
    const describe = context.describe(flag);
    return `--${flag} needs a value${describe ? `: ${describe}` : ''}`;
  }

  // yargs' choices: "Invalid values:\n  Argument: lookup-match, Given: "x", Choices: "exact", "ci"".
  const choice = /Argument: ([^,]+), Given: (.+?), Choices: (.+)$/m.exec(message);
  if (choice) {
    const choices = (choice[3] as string).replace(/"/g, '');
    return `--${choice[1]} must be one of ${choices}, got ${choice[2]}`;
  }

  const firstLine = message.split('\n')[0] ?? message;
  return `${firstLine} (see ${help})`;
}

function explainUnknown(names: readonly string[], context: ParseContext, help: string): string {
  const { command, commands } = context;
  const refused = new Set(names);
  const word = context.argv.find((token) => !token.startsWith('-') && refused.has(token));
  const flag = context.argv
    .filter((token) => token.startsWith('-') && token !== '-')
    .map((token) => (token.replace(/^-+/, '').split('=')[0] ?? '').trim())
    .find((name) => refused.has(name) || refused.has(name.replace(/^no-/, '')));

  if (flag === undefined && word !== undefined) {
    if (command === undefined || !commands.has(command)) {
      const near = suggestName(word, commands.keys());
      const hint = near === undefined ? '' : `; did you mean ${near}?`;
      return `unknown command "${word}"${hint} (commands: ${[...commands.keys()].join(', ')})`;
    }
    return `${command} takes one file, got also "${word}" (quote a path that holds spaces; run once per file)`;
  }

  const name = (flag ?? names[0] ?? '').replace(/^no-/, '');
  const allowed = command === undefined ? undefined : commands.get(command);
  const owners = [...commands].filter(([other, flags]) => other !== command && flags.includes(name));
  if (command !== undefined && owners.length > 0) {
    const names = owners.map(([other]) => other);
    const owner = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names.join('');
    if (command === 'validate' && name === 'dry-run') {
      return '--dry-run and validate cannot be used together: validate never sends anything; use sync --dry-run to see what a sync would change';
    }
    return `--${name} does not apply to ${command}; drop it (it is an option of ${owner})`;
  }
  const near = allowed === undefined ? undefined : suggestName(name, allowed);
  const hint = near === undefined ? '' : `; did you mean --${near}?`;
  return `unknown option --${name}${hint} (${help} lists them all)`;
}
