import type { AttributeType, JsonValue } from '../types.js';
import { normaliseText } from './normaliseText.js';
import { quoteValue } from './quoteValue.js';
import { FLAG_WORDS, readFlag } from './readFlag.js';

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/**
 * A cell's value as a Fluent attribute of `type` (SPEC §3), or what is wrong with it, for the row's rejection. Text
 * is normalised like any cell (NFC, trimmed, whitespace collapsed); JSON is only trimmed, since its strings are the
 * customer's own. Only values that are certainly of the type pass: `1,5` is not taken for a float (a thousands or a
 * decimal comma?), a whole number past 2^53 is refused rather than rounded, and JSON `null` is refused, because
 * Fluent's attribute value may not be null. An empty cell is not converted: it leaves the attribute as it is.
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
    return value === null ? { ok: false, problem: 'JSON null is not a value Fluent keeps' } : { ok: true, value };
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
