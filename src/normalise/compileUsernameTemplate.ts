import { UsageError } from '../errors.js';
import { CUSTOMER_FIELDS, type Customer, type CustomerField } from '../types.js';
import { matchFieldName } from './matchFieldName.js';
import { normaliseText } from './normaliseText.js';
import type { ColumnLayout } from './resolveColumns.js';

/** Derives one row's username from its normalised customer and its raw cells. */
export interface UsernameTemplate {
  (
    customer: Omit<Customer, 'username'>,
    cells: readonly string[],
  ): { ok: true; username: string } | { ok: false; reason: string };
  /** The raw columns (`{column:HEADER}`) the username is made of: their values reach the OMS like mapped ones. */
  readonly columns: readonly number[];
}

type Part =
  | { kind: 'text'; text: string }
  | { kind: 'retailerId' }
  | { kind: 'field'; field: Exclude<CustomerField, 'username'>; column: number | undefined }
  | { kind: 'column'; header: string; column: number | undefined };

const TEMPLATE_FIELDS = CUSTOMER_FIELDS.filter((field) => field !== 'username');
const PLACEHOLDERS = `{retailerId}, {column:HEADER} or a Fluent field: ${TEMPLATE_FIELDS.map((f) => `{${f}}`).join(', ')}`;

/**
 * Compiles `--username-template` once per file (SPEC §3): placeholders `{retailerId}`, `{<Fluent field>}` and
 * `{column:HEADER}` for a raw CSV column. Derived usernames are lower-cased, because OMS lookups match exactly and a
 * derived name must have one canonical spelling. UsageError at compile time for a malformed template, an unknown
 * placeholder, and — unless the file has a username column, in which case the template is never used — a field or
 * column the file lacks or `{retailerId}` with no retailer id. At row time an empty value is a reason, not an error.
 */
export function compileUsernameTemplate(
  template: string,
  layout: ColumnLayout,
  retailerId: string | undefined,
): UsernameTemplate {
  const parts = parseTemplate(template, layout);
  const used = layout.columnOfField.username === undefined;
  if (used) checkAvailable(template, parts, retailerId);
  // A file with a username column never uses the template, so none of its columns reaches the OMS through it.
  const columns = used
    ? parts.flatMap((part) => (part.kind === 'column' && part.column !== undefined ? [part.column] : []))
    : [];
  const derive = (customer: Omit<Customer, 'username'>, cells: readonly string[]) => {
    let username = '';
    for (const part of parts) {
      const value = valueOfPart(part, customer, cells, retailerId);
      if (typeof value !== 'string') return value;
      username += value;
    }
    return { ok: true as const, username: normaliseText(username).toLowerCase() };
  };
  return Object.assign(derive, { columns });
}

function valueOfPart(
  part: Part,
  customer: Omit<Customer, 'username'>,
  cells: readonly string[],
  retailerId: string | undefined,
): string | { ok: false; reason: string } {
  switch (part.kind) {
    case 'text':
      return part.text;
    case 'retailerId':
      return retailerId || { ok: false, reason: 'username template needs retailerId, which is not set' };
    case 'field': {
      const value = customer[part.field];
      if (value !== undefined) return String(value);
      // A non-empty cell with no value means the field was rejected: say so rather than "empty".
      const cell = part.column === undefined ? '' : normaliseText(cells[part.column] ?? '');
      return { ok: false, reason: `username template needs ${part.field}, which is ${cell ? 'not valid' : 'empty'}` };
    }
    case 'column': {
      const value = part.column === undefined ? '' : normaliseText(cells[part.column] ?? '');
      return value || { ok: false, reason: `username template needs column "${part.header}", which is empty` };
    }
  }
}

function parseTemplate(template: string, layout: ColumnLayout): Part[] {
  const parts: Part[] = [];
  let at = 0;
  while (at < template.length) {
    const open = template.indexOf('{', at);
    const close = template.indexOf('}', at);
    if (close !== -1 && (open === -1 || close < open)) {
      throw new UsageError(`--username-template "${template}" has a "}" with no "{" before it`);
    }
    if (open === -1) {
      parts.push({ kind: 'text', text: template.slice(at) });
      break;
    }
    if (open > at) parts.push({ kind: 'text', text: template.slice(at, open) });
    const end = template.indexOf('}', open);
    const nested = template.indexOf('{', open + 1);
    if (end === -1 || (nested !== -1 && nested < end)) {
      throw new UsageError(`--username-template "${template}" has a "{" that is not closed by "}"`);
    }
    parts.push(parsePlaceholder(template, template.slice(open + 1, end).trim(), layout));
    at = end + 1;
  }
  if (!parts.some((part) => part.kind !== 'text')) {
    throw new UsageError(
      `--username-template "${template}" has no placeholder, so every row would get the same username; use ${PLACEHOLDERS}`,
    );
  }
  return parts;
}

function parsePlaceholder(template: string, name: string, layout: ColumnLayout): Part {
  if (name === 'retailerId') return { kind: 'retailerId' };
  if (name.startsWith('column:')) {
    const header = name.slice('column:'.length).trim();
    const columns = layout.header.flatMap((h, column) => (h.trim() === header ? [column] : []));
    if (columns.length > 1) {
      throw new UsageError(
        `--username-template uses {column:${header}}, but the CSV has ${columns.length} columns of that name`,
      );
    }
    return { kind: 'column', header, column: columns[0] };
  }
  if ((TEMPLATE_FIELDS as readonly string[]).includes(name)) {
    const field = name as Exclude<CustomerField, 'username'>;
    return { kind: 'field', field, column: layout.columnOfField[field] };
  }
  if (name === 'username') {
    throw new UsageError(`--username-template "${template}" cannot use {username}: the template is what makes it`);
  }
  const near = matchFieldName(name)?.field;
  const hint = near === undefined || near === 'username' ? '' : ` (did you mean {${near}}?)`;
  throw new UsageError(
    `--username-template "${template}" has an unknown placeholder {${name}}${hint}; use ${PLACEHOLDERS}`,
  );
}

/** Failing here, once, beats rejecting every row of the file for the same missing input. */
function checkAvailable(template: string, parts: readonly Part[], retailerId: string | undefined): void {
  for (const part of parts) {
    if (part.kind === 'retailerId' && !retailerId) {
      throw new UsageError(
        `--username-template "${template}" uses {retailerId}, but no retailer id is set; pass --retailer-id (or FLUENT_RETAILER_ID), or map a username column`,
      );
    }
    if (part.kind === 'field' && part.column === undefined) {
      throw new UsageError(
        `--username-template "${template}" uses {${part.field}}, but the CSV has no ${part.field} column; map one with --mapping or change the template`,
      );
    }
    if (part.kind === 'column' && part.column === undefined) {
      throw new UsageError(
        `--username-template "${template}" uses {column:${part.header}}, but the CSV has no column "${part.header}"`,
      );
    }
  }
}
