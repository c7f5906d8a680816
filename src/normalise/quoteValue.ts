const MAX_QUOTED = 40;

/**
 * Quotes a value for a rejection reason: `"jane@"`. Long values are cut to 40 characters with `…`, and double quotes
 * inside become `'`, because reports group reasons by blanking out every `"…"` part and a stray quote would break
 * that grouping.
 */
export function quoteValue(value: string): string {
  const shown = value.length > MAX_QUOTED ? `${value.slice(0, MAX_QUOTED - 1)}…` : value;
  return `"${shown.includes('"') ? shown.replaceAll('"', "'") : shown}"`;
}
