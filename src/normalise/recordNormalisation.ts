import type { ChangedField, JsonValue, Normalisation, NormalisationRule } from '../types.js';
import { canonicalJson } from './canonicalJson.js';
import type { PhoneResult } from './normalisePhone.js';

const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * Adds one change normalising made to a cell (its rule, the cell as the file had it, the value written) to a row's
 * list, which is made on the first change: a row that changed nothing allocates none.
 */
export function recordNormalisation(
  list: Normalisation[] | undefined,
  field: ChangedField,
  rule: NormalisationRule,
  input: string,
  written: string,
): Normalisation[] {
  const entry = { field, rule, input, written };
  if (list === undefined) return [entry];
  list.push(entry);
  return list;
}

/**
 * What reading a field's cell changed, once its value is written: the value map when it gave the value (`mapped`),
 * else `rule` when there is one and the value written is not the cell's text (`text`: the cell as normaliseText left
 * it), else what normaliseText did to the cell (`input`).
 */
export function recordField(
  list: Normalisation[] | undefined,
  field: ChangedField,
  rule: NormalisationRule | undefined,
  input: string,
  text: string,
  mapped: boolean,
  written: string,
): Normalisation[] | undefined {
  if (mapped) return recordNormalisation(list, field, 'valueMapped', input, written);
  if (rule !== undefined && written !== text) return recordNormalisation(list, field, rule, input, written);
  return input === text ? list : recordText(list, field, input, text, written);
}

/**
 * What normaliseText() did to a cell that came out otherwise than it went in: composed it (NFC), trimmed it or
 * collapsed its whitespace, or both.
 */
export function recordText(
  list: Normalisation[] | undefined,
  field: ChangedField,
  input: string,
  text: string,
  written = text,
): Normalisation[] | undefined {
  const composed = NOT_ASCII.test(input) ? input.normalize('NFC') : input;
  let out = list;
  if (composed !== input) out = recordNormalisation(out, field, 'textRecomposed', input, written);
  if (composed !== text) out = recordNormalisation(out, field, 'textTrimmed', input, written);
  return out;
}

/**
 * How a phone was read: from an international prefix, with an assumed country, possible but not valid, without its
 * extension, or (phoneReformatted) just rewritten as E.164; a value map's phone only by the rules beyond the map.
 */
export function recordPhone(
  list: Normalisation[] | undefined,
  result: Extract<PhoneResult, { ok: true }>,
  input: string,
  mapped: boolean,
): Normalisation[] | undefined {
  const { e164 } = result;
  let out = list;
  for (const rule of result.rules) out = recordNormalisation(out, 'primaryPhone', rule, input, e164);
  if (!mapped && result.rules.length === 0 && input !== e164) {
    out = recordNormalisation(out, 'primaryPhone', 'phoneReformatted', input, e164);
  }
  return out;
}

/** An attribute value as a diff line shows it: text as it is, anything else as JSON. */
export function showValue(value: JsonValue): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}
