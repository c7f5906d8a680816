import { formatRuns } from '../../history/formatRuns.js';
import { optionsOfCommand } from '../../options/index.js';
import type { CliCommand } from '../context.js';
import { withRunOptions } from '../runOptions.js';
import { readHistory, toJson } from './history.js';

/** `runs`: the runs the checkpoint keeps, newest first, with their totals. */
export const runs: CliCommand = {
  usage: 'runs',
  describe: 'list the runs the checkpoint keeps, newest first, with their totals',
  flags: [...optionsOfCommand('runs'), 'json'],
  build: (y) => withRunOptions(y, 'runs').option('json', { type: 'boolean', describe: 'print JSON for scripts' }),
  async run(args, cli) {
    const list = await readHistory(args, cli, (store) => store.history.listRuns());
    cli.out.write(args.json ? toJson(list, cli) : formatRuns(list));
    return 0;
  },
};
