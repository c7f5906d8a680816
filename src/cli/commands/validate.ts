import type { CliCommand } from '../context.js';
import { runFlagsOf, withRunOptions } from '../runOptions.js';
import { runFile } from './sync.js';

/** `validate <file>`: sync's reading, normalising and checks, without any network; the report says what a sync would. */
export const validate: CliCommand = {
  usage: 'validate <file>',
  describe: 'read, normalise and check a CSV without any network; writes the report',
  flags: runFlagsOf('validate'),
  build: (y) => withRunOptions(y, 'validate', true),
  run: (args, cli) => runFile('validate', args, cli),
};
