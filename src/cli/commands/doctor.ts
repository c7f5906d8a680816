import type { CliCommand } from '../context.js';
import { runFlagsOf, withRunOptions } from '../runOptions.js';

/** `doctor`: the preflight alone, writing nothing; one line per check, exit 0 only when a sync can run safely. */
export const doctor: CliCommand = {
  usage: 'doctor',
  describe: 'check, without writing anything, that a sync can run: host, token, login, permissions, retailer, a lookup',
  flags: runFlagsOf('doctor'),
  build: (y) => withRunOptions(y, 'doctor'),
  async run(args, cli) {
    const { options, credentials, accountId } = cli.prepare('doctor', args);
    // Loaded on demand: sync and validate never need it.
    const { runDoctor } = await import('../../doctor/runDoctor.js');
    const { log, out, scrubber } = cli;
    return runDoctor(options, { log, out, credentials, accountId, scrubber });
  },
};
