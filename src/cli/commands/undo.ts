import type { CliCommand } from '../context.js';
import { runFlagsOf, withRunOptions } from '../runOptions.js';

/** `undo <run-id>`: puts back what a run changed, where the OMS still holds what it set. */
export const undo: CliCommand = {
  usage: 'undo <run-id>',
  describe: 'put back what a run changed, where the OMS still holds what it set; lists the customers it created',
  flags: runFlagsOf('undo'),
  build: (y) =>
    withRunOptions(y, 'undo').positional('run-id', {
      type: 'string',
      describe: 'the run to undo (see customer-sync runs)',
    }),
  async run(args, cli) {
    const prepared = cli.prepare('undo', args);
    const { runUndo } = await import('../../run/runUndo.js');
    return (await runUndo(String(args['run-id']), prepared.options, cli.runDependencies(prepared))).exitCode;
  },
};
