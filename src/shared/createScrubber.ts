/**
 * The one scrubber every output path goes through: log lines, the stdout summary, report files, the checkpoint and
 * anything sent to a webhook. It masks the values of the run's credentials and of every token Fluent granted
 * (access and refresh tokens are added as they arrive), and it is applied to text *before* it is encoded (JSON,
 * CSV, HTML), so a secret holding `"` or `\` cannot slip past in its escaped form.
 */

export const MASK = '***';

/** Values shorter than this are not masked: masking "ab" everywhere would garble reports and catch nothing useful. */
const MIN_SECRET_LENGTH = 4;

export interface Scrubber {
  /** Adds a value to mask from now on (a granted token, a key read from env). */
  add(secret: string): void;
  /** The text with every known secret replaced by `***`. */
  scrub(text: string): string;
  /** A deep copy of a JSON-like value with every string scrubbed (keys included), for encoding afterwards. */
  scrubValue<T>(value: T): T;
}

/** Creates a scrubber that masks `secrets` (empty and very short values are ignored). */
export function createScrubber(secrets: Iterable<string> = []): Scrubber {
  const known = new Set<string>();
  // Longest first, so a secret that contains another one is masked whole.
  let ordered: string[] = [];
  const add = (secret: string) => {
    if (secret.length < MIN_SECRET_LENGTH || known.has(secret)) return;
    known.add(secret);
    ordered = [...known].sort((a, b) => b.length - a.length);
  };
  for (const secret of secrets) add(secret);

  const scrub = (text: string): string => {
    let out = text;
    for (const secret of ordered) if (out.includes(secret)) out = out.split(secret).join(MASK);
    return out;
  };

  const scrubValue = <T>(value: T): T => {
    if (ordered.length === 0) return value;
    if (typeof value === 'string') return scrub(value) as T;
    if (Array.isArray(value)) return value.map(scrubValue) as T;
    if (value !== null && typeof value === 'object' && !(value instanceof Date)) {
      return Object.fromEntries(Object.entries(value).map(([k, v]) => [scrub(k), scrubValue(v)])) as T;
    }
    return value;
  };

  return { add, scrub, scrubValue };
}
