import type { Logger } from '../log.js';
import type { Scrubber } from '../shared/createScrubber.js';
import { buildMetrics } from './buildMetrics.js';
import { describeRunEnd } from './describeRunEnd.js';
import type { RunEnd } from './opsTypes.js';
import type { MetricSample } from './parseMetricsText.js';
import { postNotification } from './postNotification.js';
import { pushMetrics } from './pushMetrics.js';
import { readMetricsFile } from './readMetricsFile.js';
import { type HookBounds, MAX_ANSWER_BYTES } from './sendHook.js';
import { writeMetricsFile } from './writeMetricsFile.js';

/** Where a run's end is announced: the options of SPEC §2 that name them. */
export interface RunEndHooks {
  metricsFile: string | undefined;
  pushgateway: string | undefined;
  notifyUrl: string | undefined;
}

/** A hook that is slow to answer must not hold up the end of a nightly run: each has this long, all of it. */
export const HOOK_TIMEOUT_MS = 5_000;

/**
 * Tells the ops stack how a run ended, whatever its exit code (SPEC §2, §4): the metrics file for node_exporter's
 * textfile collector, the same metrics pushed to a Pushgateway, and a JSON summary POSTed to a webhook. Each is
 * independent of the others, and a failure of any is a warning, never a failed run: the run's exit code stays the
 * run's. Every text that leaves goes through the run's scrubber first. The Pushgateway and the webhook run side by
 * side, each within a total deadline of `timeoutMs` (HOOK_TIMEOUT_MS), and only their status is ever told. Never
 * throws.
 */
export async function announceRunEnd(
  end: RunEnd,
  hooks: RunEndHooks,
  deps: { log: Logger; scrubber: Scrubber; timeoutMs?: number },
): Promise<void> {
  const { log, scrubber } = deps;
  const bounds: HookBounds = { deadlineMs: deps.timeoutMs ?? HOOK_TIMEOUT_MS, maxAnswerBytes: MAX_ANSWER_BYTES };
  const safeEnd = scrubber.scrubValue(end);
  const warn = (what: string, error: unknown) =>
    log.warn(`${what}: ${error instanceof Error ? error.message : String(error)}`);

  const tasks: Promise<void>[] = [];
  if (hooks.metricsFile !== undefined || hooks.pushgateway !== undefined) {
    let earlier: MetricSample[] = [];
    if (hooks.metricsFile !== undefined) {
      try {
        earlier = readMetricsFile(hooks.metricsFile);
      } catch (error) {
        warn(`the earlier metrics file ${hooks.metricsFile} is not read, so no value carries over`, error);
      }
    }
    const registry = buildMetrics(safeEnd, earlier);
    const file = hooks.metricsFile;
    if (file !== undefined) {
      tasks.push(
        registry
          .metrics()
          .then((text) => writeMetricsFile(file, text))
          .catch((error: unknown) => warn(`could not write the metrics file ${file}`, error)),
      );
    }
    if (hooks.pushgateway !== undefined) {
      // The shards of one job push side by side: each into a group of its own, or each would replace the others.
      const { shard } = safeEnd;
      const grouping = {
        retailer: safeEnd.retailerId ?? '',
        mode: safeEnd.mode,
        ...(shard ? { shard: `${shard.index}-of-${shard.count}` } : {}),
      };
      tasks.push(
        pushMetrics(hooks.pushgateway, registry, grouping, bounds).catch((error: unknown) =>
          warn('could not push the metrics to --pushgateway', error),
        ),
      );
    }
  }
  if (hooks.notifyUrl !== undefined) {
    const notification = scrubber.scrubValue(describeRunEnd(safeEnd));
    tasks.push(
      postNotification(hooks.notifyUrl, notification, bounds).catch((error: unknown) =>
        warn('could not notify --notify-url', error),
      ),
    );
  }
  await Promise.all(tasks);
}
