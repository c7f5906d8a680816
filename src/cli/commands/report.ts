import path from 'node:path';
import { UsageError } from '../../errors.js';
import { renderPastReport } from '../../history/renderPastReport.js';
import { optionsOfCommand } from '../../options/index.js';
import { escapeControl } from '../../shared/escapeControl.js';
import type { CliArgs, CliCommand, CliContext } from '../context.js';
import { withRunOptions } from '../runOptions.js';
import { readHistory } from './history.js';

/** `report --run ID`: a past run's report written again from the checkpoint; `report --merge DIR...`: shards as one. */
export const report: CliCommand = {
  usage: 'report [checkpoint]',
  describe:
    "write a past run's report again from the checkpoint (--run ID), or merge the shards' reports of one file (--merge DIR...)",
  flags: [...optionsOfCommand('report'), 'run', 'merge'],
  build: (y) =>
    withRunOptions(y, 'report')
      .positional('checkpoint', { type: 'string', describe: 'the checkpoint (or --checkpoint)' })
      .option('run', { type: 'string', describe: 'the run id (see customer-sync runs)', requiresArg: true })
      .option('merge', {
        type: 'string',
        array: true,
        requiresArg: true,
        describe: "the report folders (--report-dir) of all N shards of one file's --shard K/N runs",
      }),
  run: (args, cli) => (args.merge ? mergeShards(args, cli) : renderRun(args, cli)),
};

async function renderRun(args: CliArgs, cli: CliContext): Promise<number> {
  const rendered = await readHistory(args, cli, (store, options) => {
    if (typeof args.run !== 'string') {
      throw new UsageError(
        "report needs --run ID (a past run of the checkpoint) or --merge DIR... (the reports of a job's shards)",
      );
    }
    const reportDir = options.reportDir ?? path.join('reports', args.run);
    const { scrubber, redactKey } = cli;
    renderPastReport(store, args.run, reportDir, { scrubber, redact: options.redact, redactKey });
    return { runId: args.run, reportDir };
  });
  cli.log.info(`the report of run ${rendered.runId} is in ${rendered.reportDir}`);
  return 0;
}

/** The shards' reports of one file as one. Exit codes as a whole run's: 0, 1 rows need attention, 3 partial. */
async function mergeShards(args: CliArgs, cli: CliContext): Promise<number> {
  if (args.run !== undefined) throw new UsageError('report takes --run or --merge, not both');
  if (typeof args['report-dir'] !== 'string') {
    throw new UsageError('report --merge needs --report-dir OUT, the folder for the merged report');
  }
  // Loaded on demand: only a merge needs them.
  const { mergeReports } = await import('../../report/mergeReports.js');
  const { formatSummary } = await import('../../report/formatSummary.js');
  const merged = mergeReports(args.merge as string[], args['report-dir'], { scrubber: cli.scrubber });
  const shards = merged.summary.mergedFrom?.length ?? 0;
  const text = `merged the reports of ${shards} shards\n${formatSummary(merged.summary, merged.reportDir)}`;
  cli.out.write(escapeControl(cli.scrubber.scrub(text), '\n'));
  return merged.exitCode;
}
