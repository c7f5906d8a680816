/**
 * Logging to stderr as text or JSON lines. Every line passes through a scrubber that masks the run's secret values,
 * so a secret that slipped into an error message from a library still never reaches a log.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** Masks secrets in any text headed for the user (stdout, reports, error messages). */
  scrub(text: string): string;
}

const ORDER: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Creates a logger; `quiet` keeps warnings and errors, `verbose` adds debug lines. */
export function createLogger(options: {
  stream: NodeJS.WritableStream;
  format: 'text' | 'json';
  verbose?: boolean;
  quiet?: boolean;
  secrets?: readonly string[];
  now?: () => Date;
}): Logger {
  const min: LogLevel = options.quiet ? 'warn' : options.verbose ? 'debug' : 'info';
  const now = options.now ?? (() => new Date());
  const secrets = (options.secrets ?? []).filter((s) => s.length >= 4);
  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) out = out.split(secret).join('***');
    return out;
  };
  const write = (level: LogLevel, message: string, fields?: Record<string, unknown>) => {
    if (ORDER[level] < ORDER[min]) return;
    const line =
      options.format === 'json'
        ? JSON.stringify({ time: now().toISOString(), level, message, ...fields })
        : `${level === 'info' ? '' : `${level}: `}${message}${fields ? ` ${formatFields(fields)}` : ''}`;
    options.stream.write(`${scrub(line)}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
    error: (m, f) => write('error', m, f),
    scrub,
  };
}

function formatFields(fields: Record<string, unknown>): string {
  return Object.entries(fields)
    .map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`)
    .join(' ');
}
