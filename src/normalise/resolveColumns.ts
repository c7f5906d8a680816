import { UsageError } from '../errors.js';
import type { CustomerField } from '../types.js';
import type { ColumnMapping } from './loadMapping.js';
import { matchFieldName } from './matchFieldName.js';

/** Which column feeds which Fluent field, decided once per file from its header. */
export interface ColumnLayout {
  /** The header as read. */
  header: string[];
  /** Per column index: the field it feeds, or null when it is ignored. */
  fieldOfColumn: (CustomerField | null)[];
  /** Per mapped field: its column index. */
  columnOfField: Partial<Record<CustomerField, number>>;
  /** Header names of the ignored columns, in file order. */
  unmapped: string[];
}

/**
 * Decides the column layout (SPEC §3). Mapping entries win: a key is matched against the trimmed header names
 * exactly, and a field the mapping assigns is not also matched by name elsewhere (that column is then unmapped).
 * Other columns named like a Fluent field match case-, space-, underscore- and hyphen-insensitively. UsageError when a mapping key names no column, when two columns feed the same field, or when
 * there is neither an email nor a username column.
 */
export function resolveColumns(header: string[], mapping?: ColumnMapping): ColumnLayout {
  const trimmed = header.map((name) => name.trim());
  const mapped = new Map<string, CustomerField>();
  for (const [key, field] of Object.entries(mapping?.columns ?? {})) {
    const name = key.trim();
    if (!trimmed.includes(name)) {
      throw new UsageError(
        `the mapping names column "${name}", which the CSV header does not have (its columns: ${listColumns(trimmed)})`,
      );
    }
    if (mapped.has(name)) throw new UsageError(`the mapping names column "${name}" twice; keep one entry`);
    mapped.set(name, field as CustomerField);
  }

  const mappedFields = new Set(mapped.values());
  const fieldOfColumn: (CustomerField | null)[] = [];
  const columnOfField: Partial<Record<CustomerField, number>> = {};
  const unmapped: string[] = [];
  trimmed.forEach((name, column) => {
    const field = mapped.get(name) ?? autoField(name, mappedFields);
    fieldOfColumn.push(field);
    if (field === null) {
      unmapped.push(header[column] ?? name);
      return;
    }
    const earlier = columnOfField[field];
    if (earlier !== undefined) {
      throw new UsageError(
        `columns "${trimmed[earlier]}" (column ${earlier + 1}) and "${name}" (column ${column + 1}) both map to ${field}; rename one or map it with --mapping`,
      );
    }
    columnOfField[field] = column;
  });

  if (columnOfField.primaryEmail === undefined && columnOfField.username === undefined) {
    throw new UsageError(
      `the CSV has no email column and no username column (its columns: ${listColumns(trimmed)}); map one with --mapping, e.g. {"columns": {"EMAIL_ADDR": "primaryEmail"}}`,
    );
  }
  return { header, fieldOfColumn, columnOfField, unmapped };
}

/** A column named like a field feeds it, unless the mapping already gave that field another column: the mapping wins. */
function autoField(name: string, mappedFields: ReadonlySet<CustomerField>): CustomerField | null {
  const field = matchFieldName(name);
  return field === undefined || mappedFields.has(field) ? null : field;
}

function listColumns(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((name) => `"${name}"`);
  return names.length > 20 ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}
