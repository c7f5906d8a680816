import {
  describeFor,
  envName,
  OPTION_COMMANDS,
  OPTION_NAMES,
  type OptionName,
  specOf,
} from '../../src/options/index.js';

/**
 * docs/options.md, from the option specs: every option with its env name, job-file key, default, the commands that
 * take it and what it does. test/options/docs.test.ts fails when the committed file differs from this, so the page
 * cannot drift from the code; `npm run docs` writes it again.
 */
export function renderOptionsDoc(): string {
  const rows = OPTION_NAMES.map((name) => [
    `\`--${name}\``,
    `\`${envName(name)}\``,
    `\`${name}\``,
    defaultOf(name),
    commandsOf(name),
    whatItDoes(name),
  ]);
  return [
    '# Options',
    '',
    '<!-- Generated from src/options/specs.ts by test/options/renderOptionsDoc.ts: run `npm run docs` after changing',
    '     an option; test/options/docs.test.ts fails while this file differs. -->',
    '',
    'Every option is a flag, an env variable and a job-file key. Where several give one, the first wins:',
    '',
    '1. the flag (`--rate 5`)',
    '2. the env variable (`FLUENT_RATE=5`; set to nothing counts as not set)',
    '3. the job file (`--config FILE`, else `FLUENT_CONFIG`: `{"rate": 5}`)',
    '4. the default',
    '',
    'A value is checked the same whichever source gave it, and a bad one is exit 2 with one line naming that source',
    '(`FLUENT_RATE must be a number of requests per second from 0.01 to 10000 (or auto), got "fast"`).',
    '',
    table(['Option', 'Env', 'Job file', 'Default', 'Commands', 'What it does'], rows),
    '',
    ...ownMeanings(),
    '',
    '`runs`, `report` and `explain` read env and job files too, and take only the options listed for them.',
    'A flag given to a command that does not take it is refused, naming the commands it belongs to.',
    '',
    '## Values',
    '',
    table(
      ['Kind', 'Written as'],
      [
        ['yes/no', 'a flag alone (`--redact`); in env or a job file `true`/`false`, `yes`/`no`, `on`/`off`, `1`/`0`'],
        ['number', 'decimal digits (`0.05`, `8`); a job file may give a JSON number or the same text'],
        ['choice', 'one of the listed words, as written; a near miss gets a "did you mean"'],
        ['path', 'relative to the working folder; in a job file, relative to the job file'],
      ],
    ),
    '',
    '## Job files',
    '',
    '`--config jobs/nightly.json` (or `FLUENT_CONFIG`) reads a JSON object whose keys are the option names above.',
    'camelCase keys (`maxErrorRate`) are read too. `description` and keys starting with `$` are ignored, so a job file',
    'can say what it is for and name its schema for editors:',
    '',
    '```json',
    '{',
    '  "$schema": "../docs/job-file.schema.json",',
    '  "description": "Nightly sync of the warehouse dump",',
    '  "retailer-id": "1",',
    '  "rate": 10',
    '}',
    '```',
    '',
    '[job-file.schema.json](job-file.schema.json) is generated from the same specs. An unknown key is refused with the',
    'option it most likely meant.',
    '',
    '## Other env variables',
    '',
    'These are not options: no flag or job-file key sets them.',
    '',
    table(
      ['Env', 'What it does'],
      [
        [
          '`FLUENT_CLIENT_ID`, `FLUENT_CLIENT_SECRET`, `FLUENT_USERNAME`, `FLUENT_PASSWORD`',
          'the OAuth credentials; never logged, reported or stored',
        ],
        ['`FLUENT_ACCESS_TOKEN`', 'a bearer token instead of the four above'],
        ['`FLUENT_ACCOUNT_ID`', 'sent as the `fluent.account` header'],
        ['`FLUENT_REDACT_KEY`', "keys `--redact`'s masks, so they stay the same across runs"],
        ['`FLUENT_CONFIG`', 'the job file, when `--config` is not given'],
        ['`CUSTOMER_SYNC_DEBUG`', 'set: an unexpected error also logs its stack, at debug level (`--verbose`)'],
        ['`SANDBOX_CREDENTIALS`', '`id:secret:user:pass`, the only credentials `customer-sync sandbox` accepts'],
      ],
    ),
    '',
  ].join('\n');
}

function defaultOf(name: OptionName): string {
  const value = specOf(name).default;
  if (value !== undefined) return `\`${String(value)}\``;
  return specOf(name).type === 'boolean' ? 'off' : '—';
}

function commandsOf(name: OptionName): string {
  const commands = specOf(name).commands;
  return commands.length === OPTION_COMMANDS.length ? 'all' : commands.join(', ');
}

/** What it does, with its choices. */
function whatItDoes(name: OptionName): string {
  const spec = specOf(name);
  const choices = spec.choices ? ` One of: ${spec.choices.map((c) => `\`${c}\``).join(', ')}.` : '';
  return `${escapeCell(spec.describe)}.${choices}`;
}

/** The options that do something else for some command, one line each. */
function ownMeanings(): string[] {
  return OPTION_NAMES.flatMap((name) =>
    specOf(name)
      .commands.filter((command) => describeFor(name, command) !== specOf(name).describe)
      .map((command) => `- \`${command} --${name}\`: ${describeFor(name, command)}.`),
  );
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** A Markdown table with its columns padded, as the other pages in docs/ are formatted. */
function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, i) => Math.max(title.length, ...rows.map((row) => (row[i] as string).length)));
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n');
}
