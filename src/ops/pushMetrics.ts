import type { Registry } from 'prom-client';
import { type HookBounds, sendHook } from './sendHook.js';

/** The Pushgateway job the metrics are pushed under. */
export const PUSH_JOB = 'customer_sync';

/**
 * Pushes the metrics of `registry` to the Pushgateway at `url` (SPEC §2 `--pushgateway`), into the group of this job,
 * retailer and mode: `<url path>/metrics/job/customer_sync/retailer/<id>/mode/<mode>`, the URL's query kept (a proxy
 * in front of the gateway may want a token there). A POST, not a PUT: it replaces only the metrics pushed, so a value
 * this run leaves out (the time of the last success, after a failed run with no earlier metrics file to read it from)
 * keeps the one pushed before. An empty grouping value is left out: the Pushgateway refuses an empty path segment.
 * Bounded as every hook is (sendHook): a total deadline, and the answer never read past a few KB nor shown.
 *
 * @throws Error when the Pushgateway cannot be reached, answers a status other than 2xx, or misses the deadline
 */
export async function pushMetrics(
  url: string,
  registry: Registry,
  grouping: Record<string, string>,
  bounds: HookBounds,
): Promise<void> {
  const target = new URL(url);
  const groups = Object.entries(grouping)
    .filter(([, value]) => value !== '')
    .map(([key, value]) => `/${encodeURIComponent(key)}/${encodeURIComponent(value)}`)
    .join('');
  target.pathname = `${target.pathname.replace(/\/+$/, '')}/metrics/job/${encodeURIComponent(PUSH_JOB)}${groups}`;
  const status = await sendHook(
    target.href,
    { contentType: registry.contentType, body: await registry.metrics() },
    bounds,
  );
  if (status < 200 || status >= 300) throw new Error(`the Pushgateway answered HTTP ${status}`);
}
