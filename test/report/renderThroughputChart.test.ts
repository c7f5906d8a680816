import { describe, expect, it } from 'vitest';
import { renderThroughputChart } from '../../src/report/renderThroughputChart.js';
import type { ThroughputPoint } from '../../src/report/reportTypes.js';

/** The y of each point of the first polyline whose attributes match `marker`, top = 0. */
function lineOf(svg: string, marker: RegExp): number[] {
  const match = [...svg.matchAll(/<polyline points="([^"]+)"([^>]*)\/>/g)].find((m) => marker.test(m[2] ?? ''));
  if (!match) return [];
  return (match[1] ?? '').split(' ').map((pair) => Number(pair.split(',')[1]));
}

describe('renderThroughputChart', () => {
  it('draws rows per second alone when the samples hold no requests (validate)', () => {
    const svg = renderThroughputChart(
      [
        { elapsedMs: 0, done: 0 },
        { elapsedMs: 1000, done: 100 },
        { elapsedMs: 2000, done: 300 },
      ],
      'Rows',
    );
    expect(svg).toContain('rows/s');
    expect(svg).not.toContain('requests/s');
    expect(svg?.match(/<polyline /g)).toHaveLength(1);
  });

  it('shows requests per second and the allowed rate falling where the OMS refused, then climbing back', () => {
    // 100 requests/s allowed and sent, a refusal cuts the rate to 70, then it climbs back.
    const allowed = [100, 100, 70, 75, 80, 85];
    const samples: ThroughputPoint[] = allowed.map((allowedRate, second) => ({
      elapsedMs: second * 1000,
      done: 0,
      requests: 0,
      allowedRate,
    }));
    let requests = 0;
    for (const [second, sample] of samples.entries()) {
      requests += second === 0 ? 0 : (allowed[second - 1] ?? 0);
      sample.requests = requests;
      sample.done = requests * 20;
    }
    const svg = renderThroughputChart(samples, 'Speed') ?? '';

    expect(svg).toContain('requests/s sent');
    expect(svg).toContain('rate allowed');
    const sent = lineOf(svg, /#e8590c/);
    const limit = lineOf(svg, /stroke-dasharray/);
    expect(sent.length).toBeGreaterThanOrEqual(5);
    // SVG's y grows downwards: a lower rate is a larger y. The dip after the refusal, then the climb.
    expect(sent[3]).toBeGreaterThan(sent[1] as number);
    expect(sent.at(-1)).toBeLessThan(sent[3] as number);
    expect(Math.max(...limit)).toBeGreaterThan(Math.min(...limit));
  });

  it('draws nothing from a run shorter than one sample', () => {
    expect(renderThroughputChart([{ elapsedMs: 0, done: 0, requests: 0, allowedRate: 10 }], 'Speed')).toBeNull();
  });

  it('ignores a rate that is not a number rather than drawing a broken line', () => {
    const svg = renderThroughputChart(
      [
        { elapsedMs: 0, done: 0, requests: 0, allowedRate: Number.POSITIVE_INFINITY },
        { elapsedMs: 1000, done: 10, requests: 10, allowedRate: Number.POSITIVE_INFINITY },
        { elapsedMs: 2000, done: 20, requests: 20, allowedRate: Number.POSITIVE_INFINITY },
      ],
      'Speed',
    );
    expect(svg).not.toMatch(/NaN|Infinity/);
    expect(svg).toContain('requests/s sent');
    expect(svg).not.toContain('rate allowed');
  });
});
