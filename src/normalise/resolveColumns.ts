import { UsageError } from '../errors.js';
import type { AttributeType, CustomerField } from '../types.js';
import type { ColumnMapping } from './loadMapping.js';
import { matchFieldName } from './matchFieldName.js';

/** A column kept as a Fluent customer attribute. */
export interface AttributeColumn {
  column: number;
  name: string;
  type: AttributeType;
}

/** A column read as a field because its header is a common name for it (`E-Mail` → primaryEmail). */
export interface GuessedColumn {
  /** The header name as read. */
  header: string;
  field: CustomerField;
}

/** Which column feeds which Fluent field, decided once per file from its header. */
export interface ColumnLayout {
  /** The header as read. */
  header: string[];
  /** Per column index: the field it feeds, or null when it is ignored. */
  fieldOfColumn: (CustomerField | null)[];
  /** Per mapped field: its column index. */
  columnOfField: Partial<Record<CustomerField, number>>;
  /** The columns the mapping keeps as customer attributes, in file order. */
  attributes: AttributeColumn[];
  /** The columns read as a field from a synonym of its name, in file order: the run says so once each. */
  guessed: GuessedColumn[];
  /** Header names of the ignored columns, in file order. */
  unmapped: string[];
}

/** How a column came to feed a field: a mapping entry is stronger than the field's own name, which beats a synonym. */
type Claim = { field: CustomerField; by: 'mapping' | 'name' | 'synonym' };

/**
 * Decides the column layout (SPEC §3). Mapping entries win: a key is matched against the trimmed header names
 * exactly. Other columns named like a Fluent field match case-, space-, underscore- and hyphen-insensitively, and
 * failing that a common name for one (`Email`, `Surname`, `Mobile`) is read as that field. For each field the
 * strongest claim wins — a mapping entry, then the field's own name, then a synonym — and a weaker claim's column is
 * unmapped; two equally strong claims are a UsageError naming both columns. A column the mapping keeps as an
 * attribute is never read as a field by its name. UsageError too when a mapping key names no column, or when there
 * is neither an email nor a username column.
 */
export function resolveColumns(header: string[], mapping?: ColumnMapping): ColumnLayout {
  const trimmed = header.map((name) => name.trim());
  const mapped = new Map<string, CustomerField>();
  for (const [key, field] of Object.entries(mapping?.columns ?? {})) {
    const name = findColumn(trimmed, key);
    if (mapped.has(name)) throw new UsageError(`the mapping names column "${name}" twice; keep one entry`);
    mapped.set(name, field as CustomerField);
  }
  const attributes: AttributeColumn[] = [];
  const attributeNames = new Set<string>();
  for (const [key, target] of Object.entries(mapping?.attributes ?? {})) {
    const name = findColumn(trimmed, key);
    if (attributeNames.has(name)) throw new UsageError(`the mapping names attribute column "${name}" twice; keep one`);
    attributeNames.add(name);
    attributes.push({ column: trimmed.indexOf(name), ...target });
  }
  attributes.sort((a, b) => a.column - b.column);

  const claims: (Claim | undefined)[] = trimmed.map((name) => {
    const field = mapped.get(name);
    if (field !== undefined) return { field, by: 'mapping' };
    if (attributeNames.has(name)) return undefined;
    const match = matchFieldName(name);
    return match && { field: match.field, by: match.guessed ? 'synonym' : 'name' };
  });
  // Strongest claims first, so a weaker pair never clashes over a field a stronger claim takes anyway.
  const columnOfField: Partial<Record<CustomerField, number>> = {};
  for (const by of ['mapping', 'name', 'synonym'] as const) {
    claims.forEach((claim, column) => {
      if (claim?.by !== by) return;
      const earlier = columnOfField[claim.field];
      if (earlier === undefined) columnOfField[claim.field] = column;
      else if (claims[earlier]?.by === by) throw new UsageError(describeClash(trimmed, earlier, column, claim));
    });
  }

  const fieldOfColumn = claims.map((claim, column) =>
    claim !== undefined && columnOfField[claim.field] === column ? claim.field : null,
  );
  const guessed = fieldOfColumn.flatMap((field, column) =>
    field !== null && claims[column]?.by === 'synonym' ? [{ header: trimmed[column] ?? '', field }] : [],
  );
  const unmapped = header.filter(
    (_, column) => fieldOfColumn[column] === null && !attributeNames.has(trimmed[column] ?? ''),
  );

  if (columnOfField.primaryEmail === undefined && columnOfField.username === undefined) {
    throw new UsageError(
      `the CSV has no email column and no username column (its columns: ${listColumns(trimmed)}); map one with --mapping, e.g. {"columns": {"EMAIL_ADDR": "primaryEmail"}}`,
    );
  }
  return { header, fieldOfColumn, columnOfField, attributes, guessed, unmapped };
}

/** The trimmed header name a mapping key names; a UsageError when the header has no such column. */
function findColumn(trimmed: readonly string[], key: string): string {
  const name = key.trim();
  if (!trimmed.includes(name)) {
    throw new UsageError(
      `the mapping names column "${name}", which the CSV header does not have (its columns: ${listColumns(trimmed)})`,
    );
  }
  return name;
}

function describeClash(trimmed: readonly string[], earlier: number, column: number, claim: Claim): string {
  const both = `columns "${trimmed[earlier]}" (column ${earlier + 1}) and "${trimmed[column]}" (column ${column + 1})`;
  if (claim.by === 'synonym') {
    return `${both} could both be ${claim.field}; name the one to use in a mapping file, e.g. {"columns": {"${trimmed[earlier]}": "${claim.field}"}}`;
  }
  return `${both} both map to ${claim.field}; rename one or map it with --mapping`;
}

function listColumns(names: readonly string[]): string {
  const shown = names.slice(0, 20).map((name) => `"${name}"`);
  return names.length > 20 ? `${shown.join(', ')}, … (${names.length} in all)` : shown.join(', ');
}
