import { CUSTOMER_FIELDS, type CustomerField } from '../types.js';
import { FIELD_SYNONYMS } from './fieldSynonyms.js';

/** A header name read as a Fluent field: by the field's own name, or `guessed` from a synonym. */
export interface FieldMatch {
  field: CustomerField;
  guessed: boolean;
}

const SEPARATORS = /[\s_-]+/g;

/** A name with case, spaces, underscores and hyphens removed: `E-Mail Address` → `emailaddress`. */
const keyOf = (name: string): string => name.replace(SEPARATORS, '').toLowerCase();

/** Fluent field names keyed by their spelling with case, spaces, underscores and hyphens removed. */
const FIELD_BY_KEY: ReadonlyMap<string, CustomerField> = new Map(CUSTOMER_FIELDS.map((field) => [keyOf(field), field]));

/** Synonyms keyed the same way; a synonym never shadows a field's own name. */
const SYNONYM_BY_KEY: ReadonlyMap<string, CustomerField> = new Map(
  (Object.entries(FIELD_SYNONYMS) as [CustomerField, readonly string[]][]).flatMap(([field, names]) =>
    names.map((name) => [keyOf(name), field] as const).filter(([key]) => !FIELD_BY_KEY.has(key)),
  ),
);

/**
 * The Fluent field a header name spells, ignoring case, spaces, underscores and hyphens (`First Name`, `first_name`,
 * `FIRSTNAME` → firstName), or a field it is a common name for (`E-Mail`, `Surname`, `Mobile`: `guessed`), or
 * undefined.
 */
export function matchFieldName(name: string): FieldMatch | undefined {
  const key = keyOf(name);
  const field = FIELD_BY_KEY.get(key);
  if (field !== undefined) return { field, guessed: false };
  const synonym = SYNONYM_BY_KEY.get(key);
  return synonym === undefined ? undefined : { field: synonym, guessed: true };
}
