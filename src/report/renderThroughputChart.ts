import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import { formatDuration } from './formatDuration.js';
import type { ThroughputPoint } from './reportTypes.js';

const WIDTH = 720;
const HEIGHT = 260;
const LEFT = 64;
const RIGHT = 20;
const TOP = 16;
const BOTTOM = 40;
/** More points than this add noise, not information, at this width. */
const MAX_SEGMENTS = 240;

/**
 * A line chart of rows per second over the run as inline SVG, or `null` when there are too few samples to
 * draw one (a run shorter than one progress tick). The rate of each stretch between samples is drawn at its
 * end; long runs are merged into at most 240 stretches.
 */
export function renderThroughputChart(samples: readonly ThroughputPoint[], title: string): string | null {
  const points = toRates(samples);
  if (points.length < 2) return null;

  const maxTime = points.at(-1)?.elapsedMs ?? 1;
  const maxRate = niceCeiling(Math.max(...points.map((point) => point.rate)));
  const plotWidth = WIDTH - LEFT - RIGHT;
  const plotHeight = HEIGHT - TOP - BOTTOM;
  const x = (ms: number): number => LEFT + (ms / maxTime) * plotWidth;
  const y = (rate: number): number => TOP + plotHeight - (rate / maxRate) * plotHeight;

  const parts: string[] = [];
  for (let tick = 0; tick <= 4; tick++) {
    const rate = (maxRate * tick) / 4;
    parts.push(
      `<line x1="${LEFT}" x2="${WIDTH - RIGHT}" y1="${y(rate).toFixed(1)}" y2="${y(rate).toFixed(1)}" class="chart-grid"/>`,
      `<text x="${LEFT - 8}" y="${y(rate).toFixed(1)}" text-anchor="end" dominant-baseline="middle" class="chart-tick">${formatCount(rate)}</text>`,
    );
  }
  for (let tick = 0; tick <= 4; tick++) {
    const ms = (maxTime * tick) / 4;
    const anchor = tick === 0 ? 'start' : tick === 4 ? 'end' : 'middle';
    parts.push(
      `<text x="${x(ms).toFixed(1)}" y="${HEIGHT - BOTTOM + 20}" text-anchor="${anchor}" class="chart-tick">${formatDuration(ms)}</text>`,
    );
  }
  const line = points.map((point) => `${x(point.elapsedMs).toFixed(1)},${y(point.rate).toFixed(1)}`).join(' ');
  const area = `${LEFT},${y(0).toFixed(1)} ${line} ${x(maxTime).toFixed(1)},${y(0).toFixed(1)}`;
  parts.push(
    `<polygon points="${area}" class="chart-area"/>`,
    `<polyline points="${line}" class="chart-line"/>`,
    `<text x="${LEFT}" y="${TOP - 4}" class="chart-tick">rows/s</text>`,
  );
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${parts.join('')}</svg>`
  );
}

interface RatePoint {
  elapsedMs: number;
  rate: number;
}

/** Turns cumulative samples into rows/s per stretch, starting at (0 ms, 0 rows) and merging stretches. */
function toRates(samples: readonly ThroughputPoint[]): RatePoint[] {
  const sorted = samples
    .filter((sample) => Number.isFinite(sample.elapsedMs) && Number.isFinite(sample.done) && sample.elapsedMs >= 0)
    .toSorted((a, b) => a.elapsedMs - b.elapsedMs);
  const first = sorted[0];
  if (first === undefined) return [];
  if (first.elapsedMs > 0) sorted.unshift({ elapsedMs: 0, done: 0 });

  const step = Math.max(1, Math.ceil((sorted.length - 1) / MAX_SEGMENTS));
  const kept = sorted.filter((_, index) => index % step === 0 || index === sorted.length - 1);
  const points: RatePoint[] = [];
  for (let index = 1; index < kept.length; index++) {
    const from = kept[index - 1];
    const to = kept[index];
    if (from === undefined || to === undefined || to.elapsedMs <= from.elapsedMs) continue;
    const rate = Math.max(0, ((to.done - from.done) * 1000) / (to.elapsedMs - from.elapsedMs));
    if (points.length === 0) points.push({ elapsedMs: from.elapsedMs, rate });
    points.push({ elapsedMs: to.elapsedMs, rate });
  }
  return points;
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
