import { UsageError } from '../errors.js';
import { lazySchema, type ZodIssue } from '../shared/loadZod.js';
import { checkJsonValue, firstIssue, readJsonFile, valueAt } from '../shared/readJsonFile.js';
import { suggestName } from '../shared/suggestName.js';
import { ATTRIBUTE_TYPES, type AttributeType, CUSTOMER_FIELDS, type CustomerField } from '../types.js';
import { matchFieldName } from './matchFieldName.js';
import { normaliseText } from './normaliseText.js';
import { countryName, resolveCountryCode } from './resolveCountryCode.js';

/** Where a column mapped to a Fluent customer attribute goes: the attribute's name and the type its value takes. */
export interface AttributeTarget {
  name: string;
  type: AttributeType;
}

/** A mapping file's content: CSV header → Fluent field name, CSV header → customer attribute, and value maps. */
export interface ColumnMapping {
  columns: Record<string, string>;
  attributes?: Record<string, AttributeTarget>;
  /** `values`: what a cell stands for, per field or attribute, applied before normalising. */
  values?: ValueMaps;
}

/**
 * Value maps, checked and compiled: the key is the cell's text as normalising leaves it, lower-cased (a cell matches
 * whatever its case, padding or Unicode form); the value is the text the cell is read as instead (`true`/`false` for a
 * yes/no, the ISO code of a country, JSON text for a JSON attribute, '' for "no value").
 */
export interface ValueMaps {
  fields: Partial<Record<CustomerField, ReadonlyMap<string, string>>>;
  /** By attribute name. */
  attributes: Readonly<Record<string, ReadonlyMap<string, string>>>;
}

const EXAMPLE = '{"columns": {"EMAIL_ADDR": "primaryEmail"}}';
const ATTRIBUTE_EXAMPLE = '{"attributes": {"CRM_ID": {"name": "legacyCrmId", "type": "STRING"}}}';
const VALUES_EXAMPLE = '{"values": {"country": {"Oz": "AU"}, "promotionOptIn": {"Subscribed": true}}}';
const SECTIONS = ['columns', 'attributes', 'values'] as const;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/** An attribute's name in Fluent: not empty, without surrounding spaces or control characters. */
function isAttributeName(name: string): boolean {
  return name.trim() !== '' && name === name.trim() && !CONTROL.test(name);
}

/**
 * A mapping file's shape: `columns` an object of header → anything (the target is checked against Fluent's fields
 * after, to name the field it most likely meant), `attributes` an object of header → `{name, type}` and nothing else,
 * `values` an object of target → an object of cell → value. Other keys are free for notes.
 */
const mappingSchema = lazySchema((z) =>
  z.looseObject({
    columns: z.record(z.string(), z.unknown()).optional(),
    attributes: z
      .record(
        z.string(),
        z.strictObject({
          name: z.string().refine(isAttributeName),
          type: z.string().refine((type) => (ATTRIBUTE_TYPES as readonly string[]).includes(type.toUpperCase())),
        }),
      )
      .optional(),
    values: z.record(z.string(), z.record(z.string(), z.unknown())).optional(),
  }),
);

/**
 * Reads and checks a mapping file (SPEC §3): `{"columns": {"CSV header": "fluentField", ...}, "attributes":
 * {"CSV header": {"name": "attributeName", "type": "STRING"}, ...}}`; either part may be left out, not both. Every
 * problem is a UsageError naming the file: unreadable, not JSON, neither part, a misspelt part name, an empty header
 * name, a target that is not a Fluent field (the allowed ones are listed), two headers mapped to the same field or
 * attribute, an attribute without a name or with a type Fluent's attributes do not take. `values` (`{"country":
 * {"Oz": "AU"}, "promotionOptIn": {"Subscribed": true}}`) maps cells of a Fluent field or of an attribute the file
 * names to a value of that field's type; an unknown field, an empty cell text, two keys that differ only in case or
 * padding, and a value of the wrong type (or a country that is not one) are UsageErrors naming the entry.
 */
export function loadMapping(path: string): ColumnMapping {
  const parsed = readJsonFile(path, 'mapping file', EXAMPLE);
  if (isPlainObject(parsed)) {
    // Other keys are free for notes, but a near miss of a part's name would silently drop that part.
    for (const key of Object.keys(parsed)) {
      const near = suggestName(key, SECTIONS);
      if (near !== undefined && near !== key) {
        throw new UsageError(`mapping file ${path} has "${key}"; did you mean "${near}"?`);
      }
    }
  }
  const file = checkJsonValue(parsed, mappingSchema(), (issues) => explainMappingIssue(path, parsed, issues));
  if (file.columns === undefined && file.attributes === undefined) {
    throw new UsageError(`mapping file ${path} has no "columns" object; expected ${EXAMPLE}`);
  }
  const mapping: ColumnMapping = { columns: checkColumns(path, file.columns ?? {}) };
  if (file.attributes !== undefined) mapping.attributes = checkAttributes(path, file.attributes);
  if (file.values !== undefined) mapping.values = checkValues(path, file.values, mapping.attributes ?? {});
  return mapping;
}

/** The first problem with a mapping file's shape, in our words, naming the part and the entry. */
function explainMappingIssue(path: string, parsed: unknown, issues: readonly ZodIssue[]): string {
  const issue = firstIssue(issues, 2);
  const [part, header, key] = issue.path.map(String);
  if (part === undefined || part === 'columns') {
    return `mapping file ${path} has no "columns" object; expected ${EXAMPLE}`;
  }
  if (part === 'values') {
    if (header === undefined) return `mapping file ${path}: "values" must be an object, e.g. ${VALUES_EXAMPLE}`;
    return `mapping file ${path}: "values" for ${header} must be an object of cell → value, e.g. {"Oz": "AU"}`;
  }
  if (header === undefined) {
    return `mapping file ${path}: "attributes" must be an object, e.g. ${ATTRIBUTE_EXAMPLE}`;
  }
  const where = `mapping file ${path}: attribute column "${header}"`;
  if (issue.code === 'unrecognized_keys') {
    const unknown = issue.keys[0] as string;
    const near = suggestName(unknown, ['name', 'type']);
    return `${where} has "${unknown}"${near ? ` (did you mean "${near}"?)` : ''}; an attribute takes only "name" and "type"`;
  }
  if (key === undefined) {
    const target = valueAt(parsed, issue.path);
    return `${where} must map to {"name": "...", "type": "STRING"}, got ${JSON.stringify(target)}`;
  }
  if (key === 'name') {
    return `${where} needs a "name": the attribute's name in Fluent, e.g. "legacyCrmId", without surrounding spaces or control characters`;
  }
  const type = valueAt(parsed, issue.path);
  const shown = type === undefined ? 'no "type"' : `type ${JSON.stringify(type)}`;
  return `${where} has ${shown}; use one of: ${ATTRIBUTE_TYPES.join(', ')}`;
}

/** What a value map's values must be, by the type of what it maps. */
type ValueKind = 'text' | 'flag' | 'country' | AttributeType;

function checkValues(
  path: string,
  values: Record<string, Record<string, unknown>>,
  attributes: Record<string, AttributeTarget>,
): ValueMaps {
  const typeOfAttribute = new Map(Object.values(attributes).map(({ name, type }) => [name, type]));
  const maps: ValueMaps = { fields: {}, attributes: {} };
  for (const [target, entries] of Object.entries(values)) {
    const where = `mapping file ${path}: "values" for ${target}`;
    const field = (CUSTOMER_FIELDS as readonly string[]).includes(target) ? (target as CustomerField) : undefined;
    const attribute = field === undefined ? target.replace(/^attributes\./, '') : undefined;
    const attributeType = attribute === undefined ? undefined : typeOfAttribute.get(attribute);
    if (field === undefined && attributeType === undefined) {
      const near = suggestName(target, [...CUSTOMER_FIELDS, ...typeOfAttribute.keys()]);
      throw new UsageError(
        `mapping file ${path}: "values" has "${target}", which is neither a Fluent customer field nor an attribute of "attributes"${near ? ` (did you mean "${near}"?)` : ''}`,
      );
    }
    const kind: ValueKind =
      field === 'promotionOptIn' ? 'flag' : field === 'country' ? 'country' : (attributeType ?? 'text');
    const map = new Map<string, string>();
    const keyOf = new Map<string, string>();
    for (const [cell, value] of Object.entries(entries)) {
      const key = normaliseText(cell).toLowerCase();
      if (key === '') throw new UsageError(`${where} maps an empty cell, which is "no value" and cannot be mapped`);
      const earlier = keyOf.get(key);
      if (earlier !== undefined) {
        throw new UsageError(
          `${where} maps both "${earlier}" and "${cell}", which are one cell (case and spaces aside); keep one`,
        );
      }
      keyOf.set(key, cell);
      map.set(key, mappedText(`${where}: "${cell}"`, kind, value));
    }
    if (field !== undefined) maps.fields[field] = map;
    else (maps.attributes as Record<string, ReadonlyMap<string, string>>)[attribute as string] = map;
  }
  return maps;
}

/** A value map's value as the cell text it stands for; a UsageError when it is not of the type of what it maps. */
function mappedText(where: string, kind: ValueKind, value: unknown): string {
  const wrong = (expected: string) =>
    new UsageError(`${where} maps to ${JSON.stringify(value) ?? String(value)}, which is not ${expected}`);
  switch (kind) {
    case 'flag':
    case 'BOOLEAN':
      if (typeof value !== 'boolean') throw wrong('true or false');
      return String(value);
    case 'INTEGER':
      if (typeof value !== 'number' || !Number.isSafeInteger(value)) throw wrong('a whole number');
      return String(value);
    case 'FLOAT':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw wrong('a number');
      return String(value);
    case 'JSON':
      if (value === null) throw wrong('a JSON value Fluent keeps (null is not)');
      return JSON.stringify(value);
    case 'country': {
      if (typeof value !== 'string') throw wrong('a country code or name as text');
      const text = normaliseText(value);
      if (text === '') return text;
      const match = resolveCountryCode(text);
      if (match === undefined) throw wrong('a country code or name');
      if ('candidates' in match) {
        throw wrong(
          `one country (it could be ${match.candidates.map((code) => `${code}, ${countryName(code)}`).join(' or ')})`,
        );
      }
      return match.code;
    }
    default:
      if (typeof value !== 'string') throw wrong('text');
      return normaliseText(value);
  }
}

function checkColumns(path: string, columns: Record<string, unknown>): Record<string, string> {
  const headerOfField = new Map<CustomerField, string>();
  const checked: Record<string, string> = {};
  for (const [header, target] of Object.entries(columns)) {
    if (header.trim() === '') throw new UsageError(`mapping file ${path} maps an empty header name; remove that entry`);
    const field = typeof target === 'string' && (CUSTOMER_FIELDS as readonly string[]).includes(target) ? target : null;
    if (field === null) throw new UsageError(describeBadTarget(path, header, target));
    const earlier = headerOfField.get(field as CustomerField);
    if (earlier !== undefined) {
      throw new UsageError(`mapping file ${path} maps both "${earlier}" and "${header}" to ${field}; keep one`);
    }
    headerOfField.set(field as CustomerField, header);
    checked[header] = field;
  }
  return checked;
}

function checkAttributes(
  path: string,
  attributes: Record<string, { name: string; type: string }>,
): Record<string, AttributeTarget> {
  const headerOfName = new Map<string, string>();
  const checked: Record<string, AttributeTarget> = {};
  for (const [header, { name, type }] of Object.entries(attributes)) {
    if (header.trim() === '') {
      throw new UsageError(`mapping file ${path} maps an empty header name to an attribute; remove that entry`);
    }
    const earlier = headerOfName.get(name);
    if (earlier !== undefined) {
      throw new UsageError(
        `mapping file ${path} maps both "${earlier}" and "${header}" to attribute ${name}; keep one`,
      );
    }
    headerOfName.set(name, header);
    checked[header] = { name, type: type.toUpperCase() as AttributeType };
  }
  return checked;
}

function describeBadTarget(path: string, header: string, target: unknown): string {
  const shown = typeof target === 'string' ? `"${target}"` : JSON.stringify(target);
  const near = typeof target === 'string' ? matchFieldName(target)?.field : undefined;
  const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
  return `mapping file ${path} maps "${header}" to ${shown}, which is not a Fluent customer field${hint}; use one of: ${CUSTOMER_FIELDS.join(', ')}`;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
