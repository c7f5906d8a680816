import { Pushgateway, type Registry } from 'prom-client';

/** The Pushgateway job the metrics are pushed under. */
export const PUSH_JOB = 'customer_sync';

/**
 * Pushes the metrics of `registry` to the Pushgateway at `url` (SPEC §2 `--pushgateway`), into the group of this job,
 * retailer and mode. A POST, not a PUT: it replaces only the metrics pushed, so a value this run leaves out (the time
 * of the last success, after a failed run with no earlier metrics file to read it from) keeps the one pushed before.
 * An empty grouping value is left out: the Pushgateway refuses an empty path segment.
 *
 * @throws Error when the Pushgateway cannot be reached, answers an error status, or takes longer than `timeoutMs`
 */
export async function pushMetrics(
  url: string,
  registry: Registry,
  grouping: Record<string, string>,
  timeoutMs: number,
): Promise<void> {
  const gateway = new Pushgateway(
    url,
    { timeout: timeoutMs, headers: { 'Content-Type': registry.contentType } },
    registry,
  );
  const groupings = Object.fromEntries(Object.entries(grouping).filter(([, value]) => value !== ''));
  await gateway.pushAdd({ jobName: PUSH_JOB, groupings });
}
