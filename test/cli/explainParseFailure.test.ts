import { describe, expect, it } from 'vitest';
import { explainParseFailure, type ParseContext } from '../../src/cli/explainParseFailure.js';

const commands = new Map<string, readonly string[]>([
  ['sync', ['dry-run', 'rate', 'mapping', 'limit']],
  ['validate', ['mapping', 'limit']],
  ['sandbox', ['port', 'lookup-match']],
]);
const context = (argv: string[], command: string | undefined): ParseContext => ({
  argv,
  command,
  commands,
  describe: (flag) => (flag === 'limit' ? 'read only the first N data rows' : undefined),
});

describe('explainParseFailure', () => {
  it.each<[string, string[], string | undefined, string]>([
    [
      'Unknown arguments: dry-rn, dryRn',
      ['sync', 'a.csv', '--dry-rn'],
      'sync',
      'unknown option --dry-rn; did you mean --dry-run? (customer-sync sync --help lists them all)',
    ],
    [
      'Unknown argument: no-dry-rn',
      ['sync', 'a.csv', '--no-dry-rn'],
      'sync',
      'unknown option --dry-rn; did you mean --dry-run? (customer-sync sync --help lists them all)',
    ],
    [
      'Unknown argument: colour',
      ['sync', 'a.csv', '--colour'],
      'sync',
      'unknown option --colour (customer-sync sync --help lists them all)',
    ],
    [
      'Unknown argument: rate',
      ['validate', 'a.csv', '--rate=5'],
      'validate',
      '--rate does not apply to validate; drop it (it is an option of sync)',
    ],
    [
      'Unknown argument: b.csv',
      ['validate', 'a.csv', 'b.csv'],
      'validate',
      'validate takes one file, got also "b.csv" (quote a path that holds spaces; run once per file)',
    ],
    [
      'Unknown argument: valdate',
      ['valdate', 'a.csv'],
      undefined,
      'unknown command "valdate"; did you mean validate? (commands: sync, validate, sandbox)',
    ],
    [
      'Not enough non-option arguments: got 0, need at least 1',
      ['validate'],
      'validate',
      'validate needs the file to read: customer-sync validate <file> (a .csv, .csv.gz or .xlsx file, or - for standard input)',
    ],
    [
      'Not enough arguments following: limit',
      ['sync', 'a.csv', '--limit'],
      'sync',
      '--limit needs a value: read only the first N data rows',
    ],
    [
      'Invalid values:\n  Argument: lookup-match, Given: "fuzzy", Choices: "exact", "ci"',
      ['sandbox', '--lookup-match', 'fuzzy'],
      'sandbox',
      '--lookup-match must be one of exact, ci, got "fuzzy"',
    ],
    ['Something new\nwith detail', ['sync', 'a.csv'], 'sync', 'Something new (see customer-sync sync --help)'],
  ])('%j → one line', (message, argv, command, expected) => {
    expect(explainParseFailure(message, context(argv, command))).toBe(expected);
  });
});
