/** A number literal of a JSON text that JSON.parse cannot give back as written, and where it stands. */
export interface InexactNumber {
  /** The literal as the text has it: `1234567890123456789`. */
  literal: string;
  /** Where it stands: `retailer-id`, `columns.ID[2]`; empty for a text that is only the number. */
  path: string;
}

const NUMBER = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?/y;

type Frame = { kind: 'object'; key: string | undefined } | { kind: 'array'; index: number };

/**
 * The first number literal of a valid JSON `text` (JSON.parse has accepted it) that a JavaScript number cannot hold
 * as written: a whole number past 2^53 (`1234567890123456789` parses as …800), a literal too large for a double
 * (`1e400` parses as Infinity) or too small to be told from zero (`1e-400` parses as 0). JSON.parse rounds these
 * silently; the text still says what was meant, so it is read again here. A fraction such as 0.05 is not inexact in
 * this sense: it parses to the double nearest to what was written, as any decimal does.
 */
export function findInexactNumber(text: string): InexactNumber | undefined {
  const stack: Frame[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 0x7b /* { */) {
      stack.push({ kind: 'object', key: undefined });
      i++;
    } else if (c === 0x5b /* [ */) {
      stack.push({ kind: 'array', index: 0 });
      i++;
    } else if (c === 0x7d /* } */ || c === 0x5d /* ] */) {
      stack.pop();
      i++;
    } else if (c === 0x2c /* , */) {
      const top = stack.at(-1);
      if (top?.kind === 'array') top.index++;
      else if (top) top.key = undefined;
      i++;
    } else if (c === 0x22 /* " */) {
      const end = endOfString(text, i);
      const top = stack.at(-1);
      // In an object, a string before its ':' is a key.
      if (top?.kind === 'object' && top.key === undefined) top.key = JSON.parse(text.slice(i, end)) as string;
      i = end;
    } else if (c === 0x2d /* - */ || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const literal = NUMBER.exec(text)?.[0] ?? text.slice(i, i + 1);
      if (isInexact(literal)) return { literal, path: describePath(stack) };
      i += literal.length;
    } else {
      // Whitespace, ':', and the letters of true, false and null.
      i++;
    }
  }
  return undefined;
}

function isInexact(literal: string): boolean {
  const value = Number(literal);
  if (!Number.isFinite(value)) return true;
  if (value === 0) return /[1-9]/.test(literal.replace(/[eE].*$/, ''));
  const whole = !/[.eE]/.test(literal);
  return whole && !Number.isSafeInteger(value);
}

/** The index just past the closing quote of the string opening at `start`. */
function endOfString(text: string, start: number): number {
  for (let i = start + 1; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5c /* \ */) i++;
    else if (c === 0x22) return i + 1;
  }
  return text.length;
}

function describePath(stack: readonly Frame[]): string {
  let out = '';
  for (const frame of stack) {
    if (frame.kind === 'array') out += `[${frame.index}]`;
    else out += out === '' ? (frame.key ?? '') : `.${frame.key ?? ''}`;
  }
  return out;
}
