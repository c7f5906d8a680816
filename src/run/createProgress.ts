import type { Logger } from '../log.js';
import type { RequestSample, ThroughputPoint } from '../report/reportTypes.js';

/** How often throughput is sampled for the report's chart, and the TTY line redrawn. */
const SAMPLE_MS = 1_000;
/** How often a plain log line reports progress when stderr is not a terminal (cron, CI, a pipe). */
const LOG_EVERY_MS = 10_000;

export interface Progress {
  /** Starts a phase (reading, applying…); `total` enables an ETA. Throughput samples restart with each phase. */
  phase(name: string, total?: number): void;
  /** One row finished. */
  tick(): void;
  /** Stops the timer and clears the live line. */
  done(): void;
  /** Throughput samples of the last phase, for the report's chart. */
  points(): ThroughputPoint[];
}

/**
 * Progress for people watching: a live line (rows/s, ETA) on a TTY, periodic log lines otherwise (SPEC §4). With
 * `quiet` nothing is shown; with `json` logs there is never a live line, so every line a log shipper reads is JSON.
 */
export function createProgress(options: {
  stream: NodeJS.WritableStream & { isTTY?: boolean };
  log: Logger;
  quiet?: boolean;
  /** The log format: a live line is drawn for text only. */
  format?: 'text' | 'json';
  now: () => Date;
  /**
   * The OMS client's requests so far and the rate it allows itself, sampled with the rows for the report's chart;
   * undefined while there is no client.
   */
  requests?: () => RequestSample | undefined;
}): Progress {
  const tty = options.stream.isTTY === true && !options.quiet && options.format !== 'json';
  let name = '';
  let total: number | undefined;
  let count = 0;
  let started = options.now().getTime();
  let lastLog = started;
  let samples: ThroughputPoint[] = [];
  let drawn = false;

  const line = (at: number): string => {
    const seconds = Math.max((at - started) / 1000, 0.001);
    const rate = count / seconds;
    const of = total === undefined ? '' : `/${total}`;
    const eta = total !== undefined && rate > 0 ? ` · ETA ${formatSeconds((total - count) / rate)}` : '';
    return `${name}: ${count}${of} rows · ${Math.round(rate)} rows/s${eta}`;
  };
  const point = (at: number): ThroughputPoint => ({ elapsedMs: at - started, done: count, ...options.requests?.() });
  const sample = () => {
    const at = options.now().getTime();
    samples.push(point(at));
    if (tty) {
      options.stream.write(`\r\x1b[2K${line(at)}`);
      drawn = true;
    } else if (at - lastLog >= LOG_EVERY_MS) {
      lastLog = at;
      options.log.info(line(at));
    }
  };
  const timer = setInterval(sample, SAMPLE_MS);
  timer.unref();

  return {
    phase(next, nextTotal) {
      name = next;
      total = nextTotal;
      count = 0;
      started = options.now().getTime();
      lastLog = started;
      samples = [point(started)];
    },
    tick() {
      count++;
    },
    done() {
      clearInterval(timer);
      samples.push(point(options.now().getTime()));
      if (drawn) options.stream.write('\r\x1b[2K');
    },
    points: () => samples,
  };
}

function formatSeconds(seconds: number): string {
  const s = Math.round(seconds);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
