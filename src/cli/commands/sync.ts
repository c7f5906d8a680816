import { syncFile } from '../../api/syncFile.js';
import type { CliCommand } from '../context.js';
import { fileArgument, runFlagsOf, withRunOptions } from '../runOptions.js';

/**
 * `sync <file>`: the whole job, read to report; `--dry-run` plans with lookups and sends no mutation. It runs on the
 * package API's syncFile, so the command and the API cannot drift apart.
 */
export const sync: CliCommand = {
  usage: 'sync <file>',
  describe: 'read, normalise, check, plan and apply a CSV to Fluent, then write the report',
  flags: runFlagsOf('sync'),
  build: (y) => withRunOptions(y, 'sync', true),
  run: async (args, cli) => (await syncFile({ file: fileArgument(args, cli.argv) }, cli.commandLine(args))).exitCode,
};
