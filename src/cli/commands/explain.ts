import { explainUsername, formatExplanation } from '../../history/explainUsername.js';
import { optionsOfCommand } from '../../options/index.js';
import type { CliCommand } from '../context.js';
import { withRunOptions } from '../runOptions.js';
import { readHistory, toJson } from './history.js';

/** `explain <customer>`: what every run the checkpoint keeps did with one customer, and why. */
export const explain: CliCommand = {
  usage: 'explain <customer>',
  describe: 'what every run kept in the checkpoint did with one customer, and why, rejected rows included',
  flags: [...optionsOfCommand('explain'), 'json'],
  build: (y) =>
    withRunOptions(y, 'explain')
      .positional('customer', {
        type: 'string',
        describe: "a username, an email or a key column's value (compared without regard to case)",
      })
      .option('json', { type: 'boolean', describe: 'print JSON for scripts' }),
  async run(args, cli) {
    const explanation = await readHistory(args, cli, (store) => explainUsername(store.history, String(args.customer)));
    cli.out.write(args.json ? toJson(explanation, cli) : formatExplanation(explanation));
    return 0;
  },
};
