import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';

export interface ChartBar {
  label: string;
  count: number;
  /** A CSS colour; ours, never from input. */
  color: string;
}

const WIDTH = 720;
const LABEL_WIDTH = 120;
const BAR_START = LABEL_WIDTH + 12;
const BAR_SPACE = WIDTH - BAR_START - 80;
const ROW_HEIGHT = 34;
const BAR_HEIGHT = 22;

/**
 * A horizontal bar chart of outcome counts as inline SVG (the report must load no remote assets). It scales
 * to its container through the viewBox. A bar with a count above zero is always at least a sliver wide, so a
 * single rejected row among a million still shows.
 */
export function renderOutcomeChart(bars: readonly ChartBar[], title: string): string {
  const height = Math.max(bars.length, 1) * ROW_HEIGHT + 8;
  const max = Math.max(1, ...bars.map((bar) => bar.count));
  const rows = bars.map((bar, index) => {
    const y = 4 + index * ROW_HEIGHT;
    const barWidth = bar.count === 0 ? 0 : Math.max(3, (bar.count / max) * BAR_SPACE);
    const middle = y + ROW_HEIGHT / 2;
    return [
      `<text x="${LABEL_WIDTH}" y="${middle}" text-anchor="end" dominant-baseline="middle" class="chart-label">${escapeHtml(bar.label)}</text>`,
      `<rect x="${BAR_START}" y="${middle - BAR_HEIGHT / 2}" width="${BAR_SPACE}" height="${BAR_HEIGHT}" rx="4" class="chart-track"/>`,
      barWidth > 0
        ? `<rect x="${BAR_START}" y="${middle - BAR_HEIGHT / 2}" width="${barWidth.toFixed(1)}" height="${BAR_HEIGHT}" rx="4" fill="${bar.color}"/>`
        : '',
      `<text x="${BAR_START + BAR_SPACE + 10}" y="${middle}" dominant-baseline="middle" class="chart-value">${formatCount(bar.count)}</text>`,
    ].join('');
  });
  return (
    `<svg class="chart" viewBox="0 0 ${WIDTH} ${height}" width="100%" role="img" aria-label="${escapeHtml(title)}">` +
    `<title>${escapeHtml(title)}</title>${rows.join('')}</svg>`
  );
}
