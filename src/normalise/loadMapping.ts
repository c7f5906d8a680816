import fs from 'node:fs';
import { UsageError } from '../errors.js';
import { CUSTOMER_FIELDS, type CustomerField } from '../types.js';
import { matchFieldName } from './matchFieldName.js';

/** A mapping file's content: CSV header → Fluent field name. */
export interface ColumnMapping {
  columns: Record<string, string>;
}

const EXAMPLE = '{"columns": {"EMAIL_ADDR": "primaryEmail"}}';

/**
 * Reads and checks a mapping file `{"columns": {"CSV header": "fluentField", ...}}` (SPEC §3). Every problem is a
 * UsageError naming the file: unreadable, not JSON, no "columns" object, an empty header name, a target that is not a
 * Fluent field (the allowed ones are listed), or two headers mapped to the same field.
 */
export function loadMapping(path: string): ColumnMapping {
  let text: string;
  try {
    text = fs.readFileSync(path, 'utf8');
  } catch (error) {
    throw new UsageError(`mapping file ${path} cannot be read: ${describeFsError(error)}`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (error) {
    throw new UsageError(`mapping file ${path} is not valid JSON (${(error as Error).message}); expected ${EXAMPLE}`);
  }
  const columns = isPlainObject(parsed) ? parsed.columns : undefined;
  if (!isPlainObject(columns)) {
    throw new UsageError(`mapping file ${path} has no "columns" object; expected ${EXAMPLE}`);
  }
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
  return { columns: checked };
}

function describeBadTarget(path: string, header: string, target: unknown): string {
  const shown = typeof target === 'string' ? `"${target}"` : JSON.stringify(target);
  const near = typeof target === 'string' ? matchFieldName(target) : undefined;
  const hint = near === undefined ? '' : ` (did you mean ${near}?)`;
  return `mapping file ${path} maps "${header}" to ${shown}, which is not a Fluent customer field${hint}; use one of: ${CUSTOMER_FIELDS.join(', ')}`;
}

function describeFsError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EISDIR') return 'it is a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
