/**
 * How the report page words what it shows, for a data owner: the kinds of run, the outcomes' colours, the fields and
 * normalisation rules in plain words, counts, values and times.
 */
import type { ChangedField, CustomerField, NormalisationRule, OutcomeKind, RunMode } from '../types.js';
import { escapeHtml } from './escapeHtml.js';

export const KIND_COLORS: Readonly<Record<OutcomeKind, string>> = {
  created: '#2f9e44',
  updated: '#1c7ed6',
  unchanged: '#868e96',
  duplicate: '#ae8a5e',
  rejected: '#e03131',
  conflict: '#9c36b5',
  failed: '#e8590c',
  skipped: '#adb5bd',
  valid: '#2f9e44',
};

export const MODE_TITLES: Readonly<Record<RunMode, string>> = {
  apply: 'Sync',
  'dry-run': 'Dry run',
  validate: 'Validation',
};

/** Customer fields in the words of a data owner rather than of the API. */
const FIELD_LABELS: Readonly<Record<CustomerField, string>> = {
  username: 'Username',
  title: 'Title',
  firstName: 'First name',
  lastName: 'Last name',
  primaryEmail: 'Email',
  primaryPhone: 'Phone',
  timezone: 'Time zone',
  promotionOptIn: 'Promotions opt-in',
  department: 'Department',
  country: 'Country',
};

/** What each normalisation rule did, in a data owner's words. */
export const RULE_WORDS: Readonly<Record<NormalisationRule, string>> = {
  phoneReformatted: 'Phone number rewritten in international form (E.164)',
  phoneAssumedCountry: 'Phone number read as a number of the default country (--default-country)',
  phoneInternationalPrefix: 'Phone number read from an international call prefix (00, 011, 0011, …)',
  phonePossibleNotValid: 'Phone number given as +… that the phone numbering data does not know as issued',
  phoneExtensionDropped: 'Phone extension left out (--phone-extension drop)',
  countryTranslated: 'Country name or code stored as its two-letter ISO code',
  optInWord: 'Opt-in word read as yes or no',
  valueMapped: "Value replaced as the mapping file's values say",
  textRecomposed: 'Accented letters composed (Unicode NFC)',
  textTrimmed: 'Spaces trimmed or collapsed',
  emailLowerCased: 'Email lower-cased',
};

/** A field's label on the page; an attribute by its name. */
export function fieldLabel(field: ChangedField): string {
  return FIELD_LABELS[field as CustomerField] ?? field;
}

/** A value as the page shows it: `empty`, yes or no, or the text escaped. */
export function formatValue(value: string | boolean | null): string {
  if (value === null || value === '') return '<span class="none">empty</span>';
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  return escapeHtml(value);
}

/** A time as `2024-05-01 02:00:00 UTC`; a text that is no time, as it is. */
export function formatTimestamp(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** `singular` for a count of 1, else `pluralForm`. */
export function plural(count: number, singular: string, pluralForm: string): string {
  return count === 1 ? singular : pluralForm;
}
