import { createLogger, type LogFormat } from '../log.js';
import type { Scrubber } from '../shared/createScrubber.js';
import { formatSummary } from './formatSummary.js';
import type { ReportSummary } from './reportTypes.js';

/**
 * Prints the end of a run on stdout (SPEC §4) in the form its reader needs: the few text lines of formatSummary for
 * a person; with `--log-format json` one JSON line (time, level, message, then the run's figures) and nothing else,
 * so a log shipper reads stdout and stderr alike; with `--quiet` nothing at all. Every form is scrubbed of secrets.
 */
export function printSummary(
  summary: ReportSummary,
  reportDir: string,
  exitCode: number,
  output: { out: NodeJS.WritableStream; format: LogFormat; quiet: boolean; scrubber: Scrubber },
): void {
  if (output.quiet) return;
  if (output.format === 'text') {
    output.out.write(`${output.scrubber.scrub(formatSummary(summary, reportDir))}\n`);
    return;
  }
  const log = createLogger({ stream: output.out, format: 'json', scrubber: output.scrubber });
  const { runId, mode, status, abortReason, totals, requests, durationMs } = summary;
  log.info(`customer-sync ${mode} ${runId} ${status}`, {
    event: 'summary',
    runId,
    mode,
    status,
    exitCode,
    ...(abortReason === undefined ? {} : { abortReason }),
    input: { path: summary.input.path, sha256: summary.input.sha256, bytes: summary.input.bytes },
    totals,
    requests,
    durationMs,
    reportDir,
  });
}
