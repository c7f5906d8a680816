import { runSync } from '../../run/runSync.js';
import type { CliArgs, CliCommand, CliContext } from '../context.js';
import { runFlagsOf, withRunOptions } from '../runOptions.js';

/** `sync <file>`: the whole job, read to report; `--dry-run` plans with lookups and sends no mutation. */
export const sync: CliCommand = {
  usage: 'sync <file>',
  describe: 'read, normalise, check, plan and apply a CSV to Fluent, then write the report',
  flags: runFlagsOf('sync'),
  build: (y) => withRunOptions(y, 'sync', true),
  run: (args, cli) => runFile('sync', args, cli),
};

/** sync and validate: options, then the run; its exit code is the command's. */
export async function runFile(command: 'sync' | 'validate', args: CliArgs, cli: CliContext): Promise<number> {
  const prepared = cli.prepare(command, args);
  return (await runSync(prepared.options, cli.runDependencies(prepared))).exitCode;
}
