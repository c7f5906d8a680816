import { escapeControl } from '../shared/escapeControl.js';
import {
  type Customer,
  type CustomerField,
  FIELD_LIMITS,
  type Normalisation,
  type NormaliseResult,
  type OffendingValue,
  type RawRow,
} from '../types.js';
import { convertAttribute } from './convertAttribute.js';
import type { ValueMaps } from './loadMapping.js';
import type { NormaliseContext } from './normaliseContext.js';
import { normaliseEmail } from './normaliseEmail.js';
import { isInternational, normalisePhoneOfRow } from './normalisePhoneOfRow.js';
import { normaliseText } from './normaliseText.js';
import { quoteValue } from './quoteValue.js';
import { FLAG_WORDS, readFlag } from './readFlag.js';
import { recordField, recordNormalisation, recordPhone, recordText, showValue } from './recordNormalisation.js';
import type { ColumnLayout } from './resolveColumns.js';
import { countryName, resolveCountryCode } from './resolveCountryCode.js';

/** Re-exported: the readers and checks that build or take a context import it from here. */
export type { NormaliseContext } from './normaliseContext.js';

/** Fields kept as normalised text. */
const TEXT_FIELDS = ['title', 'firstName', 'lastName', 'timezone', 'department'] as const;
/** The fields a formula is refused in: the ones every export and mail merge of customers shows. */
const FORMULA_FIELDS: ReadonlySet<CustomerField> = new Set(['title', 'firstName', 'lastName']);
/**
 * A spreadsheet formula: `=` and anything (a spreadsheet evaluates it all), or `+`, `-` or `@` before a function call
 * (`+SUM(1+1)`, `@HYPERLINK(…)`: a name then `(` with no space, as spreadsheets require) or a DDE link (`-cmd|…`).
 * Not formulas: `+44 20 7946 0000`, `@home`, `-Smith`, `- Anne (Marie)`.
 */
const FORMULA = /^(?:=.|[+\-@]\s*[A-Za-z_][\w.]*(?:\(.*\)|\|))/s;

const REPLACEMENT_CHARACTER = '\uFFFD';
const NUL = '\u0000';
/**
 * What a cell is checked for, in one scan: the replacement character of undecodable bytes, and control characters
 * (C0 but tab, LF and CR, which collapse to a space; DEL; C1). A value holding one is not sent to the OMS: it could
 * corrupt a screen, a log or a downstream system that shows it.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const SUSPECT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\uFFFD]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/;

/** Shared by every row that has nothing to list: the common path allocates no array for them. */
const NONE: never[] = Object.freeze([]) as unknown as never[];

/**
 * Turns one raw row into a Customer or the reasons it is rejected (SPEC §3; docs/rows.md). Pure; never throws on bad
 * data. Every cell is NFC-normalised, trimmed and has its whitespace runs collapsed, then replaced by the mapping's
 * value map where one matches; an empty cell is "no value" and the field stays absent. A name or title that is a
 * spreadsheet formula is refused unless `allowFormulaValues`. Every reason of the row is collected, one line each,
 * naming the field or column, with any control character shown escaped, and with the value behind it where a reason
 * is about one cell (`offending`). A passing row carries notes on what was changed beyond normalising (a dropped
 * extension) and every change normalising made to a cell, by rule (`normalised`: the cell as the file had it, and the
 * value written); a row that changed nothing shares one empty list.
 */
export function normaliseRow(raw: RawRow, context: NormaliseContext): NormaliseResult {
  const { layout } = context;
  const { cells } = raw;
  const reasons: string[] = [];
  let offending: OffendingValue[] | undefined;
  let normalised: Normalisation[] | undefined;
  const width = layout.header.length;
  if (cells.length !== width) reasons.push(`row has ${cells.length} columns; the header has ${width}`);

  // Every cell, mapped or not: no replacement character or NUL may reach the OMS, nor come back in rejects.csv
  // unnoticed; other control characters only matter in a value the OMS receives.
  let badColumns: Set<number> | undefined;
  for (let column = 0; column < cells.length; column++) {
    const cell = cells[column] as string;
    if (!SUSPECT.test(cell)) continue;
    const before = reasons.length;
    if (cell.includes(REPLACEMENT_CHARACTER)) {
      reasons.push(
        `column ${describeColumn(layout, column)} has bytes that are not valid UTF-8 (if the file is not UTF-8, pass --encoding, e.g. latin1)`,
      );
    }
    if (cell.includes(NUL)) {
      reasons.push(`column ${describeColumn(layout, column)} has a NUL character (\\u0000)`);
    } else {
      const control = CONTROL.exec(cell)?.[0];
      if (control !== undefined && feedsOms(context, column)) {
        reasons.push(`column ${describeColumn(layout, column)} has a control character (${escapeControl(control)})`);
      }
    }
    if (reasons.length === before) continue;
    badColumns ??= new Set();
    badColumns.add(column);
    offending = offend(offending, layout.header[column]?.trim() || `${column + 1}`, normaliseText(cell));
  }
  // Cells of a ragged row do not line up with the header: reasons about their values would only mislead.
  if (cells.length !== width) return { ok: false, reasons, offending: offending ?? NONE };

  const { columnOfField } = layout;
  /** The cell of a field as the file has it; '' when unmapped or already rejected for what it holds. */
  const rawOf = (field: CustomerField): string => {
    const column = columnOfField[field];
    if (column === undefined || badColumns?.has(column)) return '';
    return cells[column] as string;
  };

  const maps = context.valueMaps?.fields;
  const customer: Customer = { username: '' };
  for (const field of TEXT_FIELDS) {
    const input = rawOf(field);
    const text = normaliseText(input);
    if (!text) continue;
    const mapped = mappedValue(maps, field, text);
    const value = mapped ?? text;
    if (mapped !== undefined) normalised = recordNormalisation(normalised, field, 'valueMapped', input, value);
    if (!value) continue;
    if (FORMULA_FIELDS.has(field) && !context.allowFormulaValues && FORMULA.test(value)) {
      reasons.push(
        `${field} ${quoteValue(value)} is a spreadsheet formula, which exports of the OMS would run; pass --allow-formula-values to keep it`,
      );
      offending = offend(offending, field, value);
    } else if (!fitsLimit(field, value, reasons)) {
      offending = offend(offending, field, value);
    } else {
      customer[field] = value;
      if (mapped === undefined && input !== value) normalised = recordText(normalised, field, input, value);
    }
  }

  // The cells of the fields read one by one below: as the file has them, as text, as the value map reads them.
  const emailInput = rawOf('primaryEmail');
  const optInInput = rawOf('promotionOptIn');
  const countryInput = rawOf('country');
  const phoneInput = rawOf('primaryPhone');
  const emailText = normaliseText(emailInput);
  const optInText = normaliseText(optInInput);
  const countryText = normaliseText(countryInput);
  const phoneText = normaliseText(phoneInput);
  const emailMapped = mappedValue(maps, 'primaryEmail', emailText);
  const optInMapped = mappedValue(maps, 'promotionOptIn', optInText);
  const countryMapped = mappedValue(maps, 'country', countryText);
  const phoneMapped = mappedValue(maps, 'primaryPhone', phoneText);
  const email = emailMapped ?? emailText;
  const optIn = optInMapped ?? optInText;
  const countryCell = countryMapped ?? countryText;
  const phone = phoneMapped ?? phoneText;

  if (email) {
    const result = normaliseEmail(email);
    if (!result.ok) {
      reasons.push(result.reason);
      offending = offend(offending, 'primaryEmail', email);
    } else if (!fitsLimit('primaryEmail', result.email, reasons)) {
      offending = offend(offending, 'primaryEmail', result.email);
    } else {
      customer.primaryEmail = result.email;
      const mapped = emailMapped !== undefined;
      normalised = recordField(normalised, 'primaryEmail', 'emailLowerCased', emailInput, email, mapped, result.email);
    }
  } else if (emailMapped !== undefined) {
    normalised = recordNormalisation(normalised, 'primaryEmail', 'valueMapped', emailInput, '');
  }

  if (optIn) {
    const flag = readFlag(optIn);
    if (flag === undefined) {
      reasons.push(`promotionOptIn ${quoteValue(optIn)} is not one of ${FLAG_WORDS}`);
      offending = offend(offending, 'promotionOptIn', optIn);
    } else {
      customer.promotionOptIn = flag;
      const written = flag ? 'true' : 'false';
      const mapped = optInMapped !== undefined;
      normalised = recordField(normalised, 'promotionOptIn', 'optInWord', optInInput, optIn, mapped, written);
    }
  } else if (optInMapped !== undefined) {
    normalised = recordNormalisation(normalised, 'promotionOptIn', 'valueMapped', optInInput, '');
  }

  // The OMS gets the code: `gb`, `United Kingdom` and `GB` are one country, and a comparison must see them as one.
  const countryMatch = countryCell ? resolveCountryCode(countryCell) : undefined;
  const country = countryMatch !== undefined && 'code' in countryMatch ? countryMatch.code : undefined;
  if (country !== undefined) {
    customer.country = country;
    const mapped = countryMapped !== undefined;
    normalised = recordField(normalised, 'country', 'countryTranslated', countryInput, countryCell, mapped, country);
  } else if (countryCell) {
    reasons.push(describeBadCountry(countryCell, countryMatch));
    offending = offend(offending, 'country', countryCell);
  } else if (countryMapped !== undefined) {
    normalised = recordNormalisation(normalised, 'country', 'valueMapped', countryInput, '');
  }

  const notes: string[] = [];
  if (!phone && phoneMapped !== undefined) {
    normalised = recordNormalisation(normalised, 'primaryPhone', 'valueMapped', phoneInput, '');
  }
  // A country cell that is unreadable or has bad bytes is already a reason; reading the phone without it could only
  // add a misleading one, or take the default country for a row that names another.
  const countryColumn = columnOfField.country;
  const countryBad = countryColumn !== undefined && badColumns?.has(countryColumn) === true;
  const countryKnown = !countryBad && (!countryCell || country !== undefined);
  if (phone && (countryKnown || isInternational(phone))) {
    const result = normalisePhoneOfRow(phone, country, context, cells, email);
    if (!result.ok) {
      reasons.push(result.reason);
      offending = offend(offending, 'primaryPhone', phone);
    } else if (!fitsLimit('primaryPhone', result.e164, reasons)) {
      offending = offend(offending, 'primaryPhone', phone);
    } else {
      customer.primaryPhone = result.e164;
      if (result.note !== undefined) notes.push(result.note);
      if (phoneMapped !== undefined) {
        normalised = recordNormalisation(normalised, 'primaryPhone', 'valueMapped', phoneInput, result.e164);
      }
      normalised = recordPhone(normalised, result, phoneInput, phoneMapped !== undefined);
    }
  }

  // An empty cell leaves the attribute as it is in the OMS: only cells with a value become attributes.
  const attributeMaps = context.valueMaps?.attributes;
  for (const { column, name, type } of layout.attributes) {
    const cell = cells[column] as string;
    if (badColumns?.has(column)) continue;
    const text = normaliseText(cell);
    if (text === '') continue;
    const mapped = attributeMaps?.[name]?.get(text.toLowerCase());
    if (mapped === '') {
      normalised = recordNormalisation(normalised, `attributes.${name}`, 'valueMapped', cell, '');
      continue;
    }
    const converted = convertAttribute(mapped ?? cell, type);
    if (!converted.ok) {
      reasons.push(`attribute ${name} (column ${describeColumn(layout, column)}, ${type}): ${converted.problem}`);
      offending = offend(offending, `attributes.${name}`, mapped ?? text);
      continue;
    }
    customer.attributes ??= [];
    customer.attributes.push({ name, type, value: converted.value });
    // A JSON cell is only trimmed, and its text is the customer's own: nothing to say about it unless a map gave it.
    if (type !== 'JSON' || mapped !== undefined) {
      const rule = type === 'BOOLEAN' ? 'optInWord' : undefined;
      const written = showValue(converted.value);
      normalised = recordField(normalised, `attributes.${name}`, rule, cell, text, mapped !== undefined, written);
    }
  }

  const username = deriveUsername(customer, cells, context, rawOf);
  if (!username.ok) {
    reasons.push(username.reason);
    if (username.empty) offending = offend(offending, 'username', '');
  } else if (!fitsLimit('username', username.username, reasons)) {
    offending = offend(offending, 'username', username.username);
  } else {
    customer.username = username.username;
    const input = rawOf('username');
    const text = normaliseText(input);
    if (mappedValue(maps, 'username', text)) {
      normalised = recordNormalisation(normalised, 'username', 'valueMapped', input, username.username);
    } else if (input !== '' && input !== username.username) {
      normalised = recordText(normalised, 'username', input, username.username);
    }
  }

  return reasons.length > 0
    ? { ok: false, reasons, offending: offending ?? NONE }
    : { ok: true, customer, notes, normalised: normalised ?? NONE };
}

/** The username column when the file has one (case kept: it is the customer's own), else the template. */
function deriveUsername(
  customer: Customer,
  cells: readonly string[],
  context: NormaliseContext,
  rawOf: (field: CustomerField) => string,
): { ok: true; username: string } | { ok: false; reason: string; empty?: true } {
  const column = context.layout.columnOfField.username;
  if (column === undefined) return context.usernameTemplate(customer, cells);
  const text = normaliseText(rawOf('username'));
  const username = mappedValue(context.valueMaps?.fields, 'username', text) || text;
  if (username) return { ok: true, username };
  return { ok: false, reason: `username is empty (column ${describeColumn(context.layout, column)})`, empty: true };
}

function describeBadCountry(cell: string, match: ReturnType<typeof resolveCountryCode>): string {
  if (match !== undefined && 'candidates' in match) {
    const candidates = match.candidates.map((code) => `${code} (${countryName(code)})`);
    return `country ${quoteValue(cell)} could be ${candidates.join(' or ')}; write its ISO code`;
  }
  return `country ${quoteValue(cell)} is not a country code (ISO 3166 alpha-2 or alpha-3, such as GB or GBR) or a country's name`;
}

/** A mapped column, an attribute's, or one the username template is made of. */
function feedsOms(context: NormaliseContext, column: number): boolean {
  const { layout } = context;
  return (
    Boolean(layout.fieldOfColumn[column]) ||
    context.usernameTemplate.columns.includes(column) ||
    layout.attributes.some((attribute) => attribute.column === column)
  );
}

function fitsLimit(field: CustomerField, value: string, reasons: string[]): boolean {
  const limit = FIELD_LIMITS[field];
  if (limit === undefined || value.length <= limit) return true;
  reasons.push(`${field} is ${value.length} characters; Fluent allows at most ${limit}`);
  return false;
}

function describeColumn(layout: ColumnLayout, column: number): string {
  const name = layout.header[column]?.trim();
  return name ? quoteValue(name) : `${column + 1}`;
}

function offend(list: OffendingValue[] | undefined, field: string, value: string): OffendingValue[] {
  const entry = { field, value };
  if (list === undefined) return [entry];
  list.push(entry);
  return list;
}

/** The value map's value for a field's cell text, or undefined when the map has none for it (or the cell is empty). */
function mappedValue(maps: ValueMaps['fields'] | undefined, field: CustomerField, text: string): string | undefined {
  return text ? maps?.[field]?.get(text.toLowerCase()) : undefined;
}
