import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import type { ThroughputPoint } from './reportTypes.js';

const WIDTH = 720;
const HEIGHT = 260;
/** The plot's margins inside the chart: the axes' ticks and titles are drawn in them (the d3 margin convention). */
const MARGIN = { left: 64, right: 64, top: 28, bottom: 40 } as const;
/** More points than this add noise, not information, at this width. */
const MAX_SEGMENTS = 240;
/** The request lines: their own colours, inline, so the page's stylesheet needs no new class. */
const REQUEST_COLOUR = '#e8590c';
const ALLOWED_COLOUR = '#868e96';

/**
 * A line chart of the run's speed over time as inline SVG, or `null` when there are too few samples to draw one (a run
 * shorter than one progress tick): rows finished per second (left axis) and, when the samples carry the OMS client's
 * figures, GraphQL requests sent per second and the rate the client allowed itself (right axis), so a reader sees the
 * rate fall where the OMS refused for it and climb back. The rate of each stretch between samples is drawn at its
 * end; long runs are merged into at most 240 stretches.
 */
export function renderThroughputChart(samples: readonly ThroughputPoint[], title: string): string | null {
  const kept = keepSamples(samples);
  const rows = toRates(kept, (sample) => sample.done);
  if (rows.length < 2) return null;
  const requests = kept.every((sample) => sample.requests !== undefined)
    ? toRates(kept, (sample) => sample.requests ?? 0)
    : [];
  const allowed = kept.flatMap((sample) =>
    sample.allowedRate !== undefined && Number.isFinite(sample.allowedRate)
      ? [{ elapsedMs: sample.elapsedMs, rate: sample.allowedRate }]
      : [],
  );
  const withRequests = requests.length >= 2;

  const maxTime = rows.at(-1)?.elapsedMs ?? 1;
  const maxRate = niceCeiling(Math.max(...rows.map((point) => point.rate)));
  const maxRequestRate = niceCeiling(Math.max(0, ...requests.map((p) => p.rate), ...allowed.map((p) => p.rate)));
  const plotWidth = WIDTH - MARGIN.left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const x = (ms: number): number => MARGIN.left + (Math.min(ms, maxTime) / maxTime) * plotWidth;
  const yOf =
    (ceiling: number) =>
    (rate: number): number =>
      MARGIN.top + plotHeight - (rate / ceiling) * plotHeight;
  const y = yOf(maxRate);
  const yRequests = yOf(maxRequestRate);
  const polyline = (points: readonly RatePoint[], scale: (rate: number) => number) =>
    points.map((point) => `${x(point.elapsedMs).toFixed(1)},${scale(point.rate).toFixed(1)}`).join(' ');

  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const rate = (maxRate * tick) / 4;
    parts.push(
      `<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${y(rate).toFixed(1)}" y2="${y(rate).toFixed(1)}" class="chart-grid"/>`,
      `<text x="${MARGIN.left - 8}" y="${y(rate).toFixed(1)}" text-anchor="end" dominant-baseline="middle" class="chart-tick">${formatCount(rate)}</text>`,
    );
    if (withRequests) {
      const requestRate = (maxRequestRate * tick) / 4;
      parts.push(
        `<text x="${WIDTH - MARGIN.right + 8}" y="${yRequests(requestRate).toFixed(1)}" dominant-baseline="middle" class="chart-tick">${formatCount(requestRate)}</text>`,
      );
    }
  }
  for (let tick = 0; tick <= 4; tick++) {
    const ms = (maxTime * tick) / 4;
    const anchor = tick === 0 ? 'start' : tick === 4 ? 'end' : 'middle';
    parts.push(
      `<text x="${x(ms).toFixed(1)}" y="${HEIGHT - MARGIN.bottom + 20}" text-anchor="${anchor}" class="chart-tick">${formatDuration(ms)}</text>`,
    );
  }
  const line = polyline(rows, y);
  const area = `${MARGIN.left},${y(0).toFixed(1)} ${line} ${x(maxTime).toFixed(1)},${y(0).toFixed(1)}`;
  parts.push(
    `<polygon points="${area}" class="chart-area"/>`,
    `<polyline points="${line}" class="chart-line"/>`,
    `<text x="${MARGIN.left}" y="${MARGIN.top - 10}" class="chart-tick">rows/s</text>`,
  );
  if (withRequests) {
    if (allowed.length >= 2) {
      parts.push(
        `<polyline points="${polyline(toSteps(allowed), yRequests)}" fill="none" stroke="${ALLOWED_COLOUR}" stroke-width="1.5" stroke-dasharray="5 4"/>`,
      );
    }
    parts.push(
      `<polyline points="${polyline(requests, yRequests)}" fill="none" stroke="${REQUEST_COLOUR}" stroke-width="2" stroke-linejoin="round"/>`,
      `<text x="${WIDTH - MARGIN.right}" y="${MARGIN.top - 10}" text-anchor="end" class="chart-tick">` +
        `<tspan fill="${REQUEST_COLOUR}">requests/s sent</tspan>` +
        (allowed.length >= 2 ? `<tspan fill="${ALLOWED_COLOUR}"> · - - rate allowed</tspan>` : '') +
        '</text>',
    );
  }
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

interface RatePoint {
  elapsedMs: number;
  rate: number;
}

/** The usable samples in time order, starting at 0 ms, thinned to at most MAX_SEGMENTS stretches. */
function keepSamples(samples: readonly ThroughputPoint[]): ThroughputPoint[] {
  const sorted = samples
    .filter((sample) => Number.isFinite(sample.elapsedMs) && Number.isFinite(sample.done) && sample.elapsedMs >= 0)
    .toSorted((a, b) => a.elapsedMs - b.elapsedMs);
  const first = sorted[0];
  if (first === undefined) return [];
  if (first.elapsedMs > 0) sorted.unshift({ ...first, elapsedMs: 0, done: 0 });
  const step = Math.max(1, Math.ceil((sorted.length - 1) / MAX_SEGMENTS));
  return sorted.filter((_, index) => index % step === 0 || index === sorted.length - 1);
}

/** Turns a cumulative count into a rate per second per stretch. */
function toRates(kept: readonly ThroughputPoint[], count: (sample: ThroughputPoint) => number): RatePoint[] {
  const points: RatePoint[] = [];
  for (let index = 1; index < kept.length; index++) {
    const from = kept[index - 1];
    const to = kept[index];
    if (from === undefined || to === undefined || to.elapsedMs <= from.elapsedMs) continue;
    const rate = Math.max(0, ((count(to) - count(from)) * 1000) / (to.elapsedMs - from.elapsedMs));
    if (!Number.isFinite(rate)) continue;
    if (points.length === 0) points.push({ elapsedMs: from.elapsedMs, rate });
    points.push({ elapsedMs: to.elapsedMs, rate });
  }
  return points;
}

/** A level held until the next sample: the allowed rate changes at sample times, it does not slope between them. */
function toSteps(points: readonly RatePoint[]): RatePoint[] {
  return points.flatMap((point, index) => {
    const previous = points[index - 1];
    return previous === undefined ? [point] : [{ elapsedMs: point.elapsedMs, rate: previous.rate }, point];
  });
}

/** The next "round" number at or above `value` (1, 2, 2.5, 5 × 10^n), so the axis reads cleanly. */
function niceCeiling(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const factor of [1, 2, 2.5, 5, 10]) {
    if (factor * magnitude >= value) return factor * magnitude;
  }
  return 10 * magnitude;
}
