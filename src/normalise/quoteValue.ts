import { escapeControl } from '../shared/escapeControl.js';

const MAX_QUOTED = 40;

/**
 * Quotes a value for a rejection reason: `"jane@"`. Long values are cut to 40 characters with `…` (never inside a
 * surrogate pair), double quotes inside become `'`, because reports group reasons by blanking out every `"…"` part
 * and a stray quote would break that grouping, and control characters are shown escaped (`\u001b`), so a reason
 * never carries one raw to a terminal, a log or a report.
 */
export function quoteValue(value: string): string {
  let shown = value;
  if (value.length > MAX_QUOTED) {
    const end = isHighSurrogate(value.charCodeAt(MAX_QUOTED - 2)) ? MAX_QUOTED - 2 : MAX_QUOTED - 1;
    shown = `${value.slice(0, end)}…`;
  }
  if (shown.includes('"')) shown = shown.replaceAll('"', "'");
  return `"${escapeControl(shown)}"`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
