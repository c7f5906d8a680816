import { runSync } from '../../run/runSync.js';
import type { CliCommand } from '../context.js';
import { runFlagsOf, withRunOptions } from '../runOptions.js';

/** `sync <file>`: the whole job, read to report; `--dry-run` plans with lookups and sends no mutation. */
export const sync: CliCommand = fileCommand('sync', {
  usage: 'sync <file>',
  describe: 'read, normalise, check, plan and apply a CSV to Fluent, then write the report',
});

/**
 * sync and validate: a command that runs one file, its flags the command's; options, then the run, whose exit code is
 * the command's.
 */
export function fileCommand(command: 'sync' | 'validate', words: Pick<CliCommand, 'usage' | 'describe'>): CliCommand {
  return {
    ...words,
    flags: runFlagsOf(command),
    build: (y) => withRunOptions(y, command, true),
    async run(args, cli) {
      const prepared = cli.prepare(command, args);
      return (await runSync(prepared.options, cli.runDependencies(prepared))).exitCode;
    },
  };
}
