import { escapeControl } from '../escapeControl.js';
import { type Customer, type CustomerField, FIELD_LIMITS, type NormaliseResult, type RawRow } from '../types.js';
import type { UsernameTemplate } from './compileUsernameTemplate.js';
import { convertAttribute } from './convertAttribute.js';
import { normaliseEmail } from './normaliseEmail.js';
import { normalisePhone, type PhoneResult, type PhoneRules } from './normalisePhone.js';
import { normaliseText } from './normaliseText.js';
import { quoteValue } from './quoteValue.js';
import { FLAG_WORDS, readFlag } from './readFlag.js';
import type { ColumnLayout } from './resolveColumns.js';
import { resolveCountryCode } from './resolveCountryCode.js';

/** What normalising a row needs, fixed for the whole file. */
export interface NormaliseContext {
  layout: ColumnLayout;
  usernameTemplate: UsernameTemplate;
  /** ISO 3166 alpha-2, for phones without a country code in rows without a country. */
  defaultCountry?: string;
  /** `--phone-extension`: an extension rejects the row (the default), or is dropped with a note. */
  phoneExtension?: PhoneRules['extension'];
}

/** Fields kept as normalised text. */
const TEXT_FIELDS = ['title', 'firstName', 'lastName', 'timezone', 'department'] as const;

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

/**
 * Turns one raw row into a Customer or the reasons it is rejected (SPEC §3). Pure; never throws on bad data. Every
 * cell is NFC-normalised, trimmed and has its whitespace runs collapsed; an empty cell is "no value" and the field
 * stays absent. Every reason of the row is collected, one line each, naming the field or column, with any control
 * character shown escaped. A passing row carries notes on what was changed beyond normalising (a dropped extension).
 */
export function normaliseRow(raw: RawRow, context: NormaliseContext): NormaliseResult {
  const { layout } = context;
  const { cells } = raw;
  const reasons: string[] = [];
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
  }
  // Cells of a ragged row do not line up with the header: reasons about their values would only mislead.
  if (cells.length !== width) return { ok: false, reasons, offending: [] };

  const { columnOfField } = layout;
  /** The normalised value of a field's cell; '' when unmapped, empty or already rejected for what it holds. */
  const cellOf = (field: CustomerField): string => {
    const column = columnOfField[field];
    if (column === undefined || badColumns?.has(column)) return '';
    return normaliseText(cells[column] as string);
  };

  const customer: Customer = { username: '' };
  for (const field of TEXT_FIELDS) {
    const value = cellOf(field);
    if (value && fitsLimit(field, value, reasons)) customer[field] = value;
  }

  const email = cellOf('primaryEmail');
  if (email) {
    const result = normaliseEmail(email);
    if (!result.ok) reasons.push(result.reason);
    else if (fitsLimit('primaryEmail', result.email, reasons)) customer.primaryEmail = result.email;
  }

  const optIn = cellOf('promotionOptIn');
  if (optIn) {
    const flag = readFlag(optIn);
    if (flag === undefined) reasons.push(`promotionOptIn ${quoteValue(optIn)} is not one of ${FLAG_WORDS}`);
    else customer.promotionOptIn = flag;
  }

  // The OMS gets the code: `gb`, `United Kingdom` and `GB` are one country, and a comparison must see them as one.
  const countryCell = cellOf('country');
  const country = countryCell ? resolveCountryCode(countryCell) : undefined;
  if (country !== undefined) customer.country = country;
  else if (countryCell) {
    reasons.push(
      `country ${quoteValue(countryCell)} is not an ISO 3166 alpha-2 country code (such as GB) or an English country name`,
    );
  }

  const notes: string[] = [];
  const phone = cellOf('primaryPhone');
  // A country cell that is unreadable or has bad bytes is already a reason; reading the phone without it could only
  // add a misleading one, or take the default country for a row that names another.
  const countryColumn = columnOfField.country;
  const countryBad = countryColumn !== undefined && badColumns?.has(countryColumn) === true;
  const countryKnown = !countryBad && (!countryCell || country !== undefined);
  if (phone && (countryKnown || phone.startsWith('+'))) {
    const result = normalisePhoneOfRow(phone, country, context);
    if (!result.ok) reasons.push(result.reason);
    else if (fitsLimit('primaryPhone', result.e164, reasons)) {
      customer.primaryPhone = result.e164;
      if (result.note !== undefined) notes.push(result.note);
    }
  }

  // An empty cell leaves the attribute as it is in the OMS: only cells with a value become attributes.
  for (const { column, name, type } of layout.attributes) {
    const cell = cells[column] as string;
    if (badColumns?.has(column) || normaliseText(cell) === '') continue;
    const converted = convertAttribute(cell, type);
    if (!converted.ok) {
      reasons.push(`attribute ${name} (column ${describeColumn(layout, column)}, ${type}): ${converted.problem}`);
      continue;
    }
    customer.attributes ??= [];
    customer.attributes.push({ name, type, value: converted.value });
  }

  const username = deriveUsername(customer, cells, context, cellOf);
  if (!username.ok) reasons.push(username.reason);
  else if (fitsLimit('username', username.username, reasons)) customer.username = username.username;

  return reasons.length > 0 ? { ok: false, reasons, offending: [] } : { ok: true, customer, notes, normalised: [] };
}

/** The username column when the file has one (case kept: it is the customer's own), else the template. */
function deriveUsername(
  customer: Customer,
  cells: readonly string[],
  context: NormaliseContext,
  cellOf: (field: CustomerField) => string,
): { ok: true; username: string } | { ok: false; reason: string } {
  const column = context.layout.columnOfField.username;
  if (column === undefined) return context.usernameTemplate(customer, cells);
  const username = cellOf('username');
  if (username) return { ok: true, username };
  return { ok: false, reason: `username is empty (column ${describeColumn(context.layout, column)})` };
}

/**
 * The row's own country decides how a phone without `+` is read; `--default-country` only applies to rows with no
 * country, and is then an assumption: the number must be valid there, not merely possible.
 */
function normalisePhoneOfRow(phone: string, country: string | undefined, context: NormaliseContext): PhoneResult {
  const extension = context.phoneExtension ?? 'reject';
  if (country !== undefined) return normalisePhone(phone, country, { countryAssumed: false, extension });
  return normalisePhone(phone, context.defaultCountry, { countryAssumed: true, extension });
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
