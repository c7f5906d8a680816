import { validateFile } from '../../api/validateFile.js';
import type { CliCommand } from '../context.js';
import { fileArgument, runFlagsOf, withRunOptions } from '../runOptions.js';

/**
 * `validate <file>`: sync's reading, normalising and checks, without any network; the report says what a sync would.
 * It runs on the package API's validateFile.
 */
export const validate: CliCommand = {
  usage: 'validate <file>',
  describe: 'read, normalise and check a CSV without any network; writes the report',
  flags: runFlagsOf('validate'),
  build: (y) => withRunOptions(y, 'validate', true),
  run: async (args, cli) =>
    (await validateFile({ file: fileArgument(args, cli.argv) }, cli.commandLine(args))).exitCode,
};
