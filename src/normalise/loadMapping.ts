import { UsageError } from '../errors.js';
import { readJsonFile } from '../readJsonFile.js';
import { suggestName } from '../suggestName.js';
import { ATTRIBUTE_TYPES, type AttributeType, CUSTOMER_FIELDS, type CustomerField } from '../types.js';
import { matchFieldName } from './matchFieldName.js';

/** Where a column mapped to a Fluent customer attribute goes: the attribute's name and the type its value takes. */
export interface AttributeTarget {
  name: string;
  type: AttributeType;
}

/** A mapping file's content: CSV header → Fluent field name, and CSV header → customer attribute. */
export interface ColumnMapping {
  columns: Record<string, string>;
  attributes?: Record<string, AttributeTarget>;
}

const EXAMPLE = '{"columns": {"EMAIL_ADDR": "primaryEmail"}}';
const ATTRIBUTE_EXAMPLE = '{"attributes": {"CRM_ID": {"name": "legacyCrmId", "type": "STRING"}}}';
const SECTIONS = ['columns', 'attributes'] as const;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * Reads and checks a mapping file (SPEC §3): `{"columns": {"CSV header": "fluentField", ...}, "attributes":
 * {"CSV header": {"name": "attributeName", "type": "STRING"}, ...}}`; either part may be left out, not both. Every
 * problem is a UsageError naming the file: unreadable, not JSON, neither part, a misspelt part name, an empty header
 * name, a target that is not a Fluent field (the allowed ones are listed), two headers mapped to the same field or
 * attribute, an attribute without a name or with a type Fluent's attributes do not take.
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
  const columns = isPlainObject(parsed) ? parsed.columns : undefined;
  const attributes = isPlainObject(parsed) ? parsed.attributes : undefined;
  if (!isPlainObject(columns) && (columns !== undefined || attributes === undefined)) {
    throw new UsageError(`mapping file ${path} has no "columns" object; expected ${EXAMPLE}`);
  }
  const mapping: ColumnMapping = { columns: checkColumns(path, columns ?? {}) };
  if (attributes !== undefined) mapping.attributes = checkAttributes(path, attributes);
  return mapping;
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

function checkAttributes(path: string, attributes: unknown): Record<string, AttributeTarget> {
  if (!isPlainObject(attributes)) {
    throw new UsageError(`mapping file ${path}: "attributes" must be an object, e.g. ${ATTRIBUTE_EXAMPLE}`);
  }
  const headerOfName = new Map<string, string>();
  const checked: Record<string, AttributeTarget> = {};
  for (const [header, target] of Object.entries(attributes)) {
    const where = `mapping file ${path}: attribute column "${header}"`;
    if (header.trim() === '') {
      throw new UsageError(`mapping file ${path} maps an empty header name to an attribute; remove that entry`);
    }
    if (!isPlainObject(target)) {
      throw new UsageError(`${where} must map to {"name": "...", "type": "STRING"}, got ${JSON.stringify(target)}`);
    }
    for (const key of Object.keys(target)) {
      if (key !== 'name' && key !== 'type') {
        const near = suggestName(key, ['name', 'type']);
        throw new UsageError(
          `${where} has "${key}"${near ? ` (did you mean "${near}"?)` : ''}; an attribute takes only "name" and "type"`,
        );
      }
    }
    const { name, type } = target;
    if (typeof name !== 'string' || name.trim() === '' || name !== name.trim() || CONTROL.test(name)) {
      throw new UsageError(
        `${where} needs a "name": the attribute's name in Fluent, e.g. "legacyCrmId", without surrounding spaces or control characters`,
      );
    }
    const upper = typeof type === 'string' ? type.toUpperCase() : undefined;
    if (!(ATTRIBUTE_TYPES as readonly (string | undefined)[]).includes(upper)) {
      const shown = type === undefined ? 'no "type"' : `type ${JSON.stringify(type)}`;
      throw new UsageError(`${where} has ${shown}; use one of: ${ATTRIBUTE_TYPES.join(', ')}`);
    }
    const earlier = headerOfName.get(name);
    if (earlier !== undefined) {
      throw new UsageError(
        `mapping file ${path} maps both "${earlier}" and "${header}" to attribute ${name}; keep one`,
      );
    }
    headerOfName.set(name, header);
    checked[header] = { name, type: upper as AttributeType };
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
