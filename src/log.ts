/**
 * Logging to stderr as text or JSON lines. Every line passes through the run's scrubber (secrets masked) before it is
 * encoded, and control characters from outside are shown as escapes, so neither a secret that slipped into a library's
 * error message nor an escape sequence in a header name reaches the terminal or a log shipper.
 */
import { createScrubber, type Scrubber } from './shared/createScrubber.js';
import { escapeControl } from './shared/escapeControl.js';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

/** Text lines for people, or one JSON object per line for log shippers. */
export type LogFormat = 'text' | 'json';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Masks secrets in any text headed for the user (stdout, reports, error messages). */
  scrub(text: string): string;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Where a program's logger takes the lines (the package API's `logger`), each already scrubbed and escaped. */
export type LogSink = (level: LogLevel, message: string, fields: Record<string, unknown> | undefined) => void;

/**
 * Creates a logger; `quiet` keeps errors only (SPEC §2: nothing but errors), `verbose` adds debug lines. The lines go
 * to `stream` as text or JSON, or to `sink` as they are (the package API's logger).
 */
export function createLogger(options: {
  stream?: NodeJS.WritableStream;
  sink?: LogSink;
  format: LogFormat;
  verbose?: boolean;
  quiet?: boolean;
  scrubber?: Scrubber;
  now?: () => Date;
}): Logger {
  const min: LogLevel = options.quiet ? 'error' : options.verbose ? 'debug' : 'info';
  const now = options.now ?? (() => new Date());
  const scrubber = options.scrubber ?? createScrubber();
  /** Scrubbed first, then escaped, then encoded: the order that lets nothing through. */
  const clean = <T>(value: T): T => escapeValue(scrubber.scrubValue(value));
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[min]) return;
    const text = clean(message);
    const extra = fields && clean(fields);
    if (options.sink) return options.sink(level, text, extra);
    const line =
      options.format === 'json'
        ? JSON.stringify({ time: now().toISOString(), level, message: text, ...extra })
        : `${level === 'info' ? '' : `${level}: `}${text}${extra ? ` ${formatFields(extra)}` : ''}`;
    options.stream?.write(`${line}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    scrub: scrubber.scrub,
  };
}

function escapeValue<T>(value: T): T {
  if (typeof value === 'string') return escapeControl(value) as T;
  if (Array.isArray(value)) return value.map(escapeValue) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [escapeControl(k), escapeValue(v)])) as T;
  }
  return value;
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
