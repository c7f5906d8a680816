import { escapeControl } from '../shared/escapeControl.js';
import { findInexactNumber } from '../shared/findInexactNumber.js';
import type { AttributeType, JsonValue } from '../types.js';
import { normaliseText } from './normaliseText.js';
import { quoteValue } from './quoteValue.js';
import { FLAG_WORDS, readFlag } from './readFlag.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;
/**
 * What no text sent to the OMS may hold, as normaliseRow checks every cell: control characters (C0 but tab, LF and CR;
 * DEL; C1), the replacement character of undecodable bytes, and a surrogate without its pair (`\ud800` written as an
 * escape is not a character at all). In a JSON value they arrive as escapes (`\u001b`), which the cell check cannot
 * see, so the parsed strings are checked again.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const UNSENDABLE_CHARACTER = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\uFFFD]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/**
 * A cell's value as a Fluent attribute of `type` (SPEC §3), or what is wrong with it, for the row's rejection. Text
 * is normalised like any cell (NFC, trimmed, whitespace collapsed); JSON is only trimmed, since its strings are the
 * customer's own. Only values that are certainly of the type pass: `1,5` is not taken for a float (a thousands or a
 * decimal comma?), a whole number past 2^53 is refused rather than rounded (in JSON too), and JSON `null` is
 * refused, because Fluent's attribute value may not be null. A JSON string or key holding a character no other
 * value may hold (UNSENDABLE_CHARACTER) is refused naming where it stands. An empty cell is not converted: it leaves
 * the attribute as it is.
 */
export function convertAttribute(
  cell: string,
  type: AttributeType,
): { ok: true; value: JsonValue } | { ok: false; problem: string } {
  if (type === 'JSON') {
    const text = cell.normalize('NFC').trim();
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch {
      return { ok: false, problem: `${quoteValue(text)} is not JSON` };
    }
    if (value === null) return { ok: false, problem: 'JSON null is not a value Fluent keeps' };
    const inexact = findInexactNumber(text);
    if (inexact) {
      return {
        ok: false,
        problem: `the number ${quoteValue(inexact.literal)}${inexact.path ? ` at ${quoteValue(inexact.path)}` : ''} cannot be kept as written (past 2^53, or out of a number's range); write it as a string`,
      };
    }
    const unsendable = findUnsendable(value);
    return unsendable ? { ok: false, problem: unsendable } : { ok: true, value };
  }
  const text = normaliseText(cell);
  switch (type) {
    case 'STRING':
      return { ok: true, value: text };
    case 'INTEGER': {
      const value = Number(text);
      if (!INTEGER.test(text)) return { ok: false, problem: `${quoteValue(text)} is not a whole number` };
      if (!Number.isSafeInteger(value)) {
        return { ok: false, problem: `${quoteValue(text)} is too large for a whole number (at most 2^53 - 1)` };
      }
      return { ok: true, value };
    }
    case 'FLOAT': {
      const value = Number(text);
      if (!DECIMAL.test(text) || !Number.isFinite(value)) {
        return { ok: false, problem: `${quoteValue(text)} is not a number (write decimals with a dot, e.g. 1.5)` };
      }
      return { ok: true, value };
    }
    case 'BOOLEAN': {
      const value = readFlag(text);
      if (value === undefined) return { ok: false, problem: `${quoteValue(text)} is not one of ${FLAG_WORDS}` };
      return { ok: true, value };
    }
  }
}

/**
 * What is wrong with the first string or key of a parsed JSON value that holds a character no value may hold, if any.
 * Iterative, since JSON.parse takes nesting deeper than any recursion would.
 */
function findUnsendable(root: JsonValue): string | undefined {
  const pending: { value: JsonValue; path: string }[] = [{ value: root, path: '' }];
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, path } = next;
    if (typeof value === 'string') {
      const found = findUnsendableCharacter(value);
      if (found !== undefined) {
        return `${path ? `the JSON value at ${quoteValue(path)}` : 'the JSON string'} ${describeFound(found)}`;
      }
    } else if (Array.isArray(value)) {
      for (let i = value.length - 1; i >= 0; i--) pending.push({ value: value[i] as JsonValue, path: `${path}[${i}]` });
    } else if (value !== null && typeof value === 'object') {
      const entries = Object.entries(value);
      for (let i = entries.length - 1; i >= 0; i--) {
        const [key, child] = entries[i] as [string, JsonValue];
        const found = findUnsendableCharacter(key);
        if (found !== undefined) return `the JSON key ${quoteValue(key)} ${describeFound(found)}`;
        pending.push({ value: child, path: path ? `${path}.${key}` : key });
      }
    }
  }
  return undefined;
}

function findUnsendableCharacter(text: string): string | undefined {
  return (UNSENDABLE_CHARACTER.exec(text) ?? LONE_SURROGATE.exec(text))?.[0];
}

function describeFound(found: string): string {
  if (found === '\uFFFD') return 'has a replacement character (\\ufffd), the mark of bytes that were not text';
  const code = found.charCodeAt(0);
  if (code >= 0xd800 && code <= 0xdfff) {
    return `has half of a surrogate pair (\\u${code.toString(16)}), which is not a character`;
  }
  return `has a control character (${escapeControl(found)})`;
}
