import { normaliseEmail } from '../normalise/normaliseEmail.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import { normaliseText } from '../normalise/normaliseText.js';
import { quoteValue } from '../normalise/quoteValue.js';
import { formatRowIdentity } from '../report/rowIdentity.js';
import { type Customer, type CustomerField, FIELD_LIMITS } from '../types.js';

/** Fields that say who a row is, in the order a reason names them. */
const IDENTIFYING_FIELDS = ['primaryEmail', 'firstName', 'lastName'] as const satisfies readonly CustomerField[];
/** Text fields a username template may use, read as normaliseRow reads them. */
const TEXT_FIELDS = ['title', 'firstName', 'lastName', 'timezone', 'department'] as const;
/** Cells shown for a row whose cells do not line up with the header. */
const RAGGED_CELLS = 3;
// biome-ignore lint/suspicious/noControlCharactersInRegex: a username with a control character is no username
const UNUSABLE = /[\u0000-\u001f\u007f-\u009f\uFFFD]/;

/**
 * Who a rejected row is (SPEC §4: never just `none`): its username where one can be formed from its cells — the
 * username column, or the template over the fields that still read (a row rejected for its phone still has its
 * email) — otherwise the ending its reason gains: the row's email, names, username cell and the template's key
 * columns (`{column:HEADER}`), as the file has them. A row whose cells do not line up with the header shows its
 * first cells instead, since its columns cannot be trusted.
 */
export function identifyRow(
  cells: readonly string[],
  context: NormaliseContext,
): { username: string; identity?: undefined } | { username?: undefined; identity: string } {
  const { layout } = context;
  if (cells.length !== layout.header.length) {
    const shown = cells
      .map(normaliseText)
      .filter((cell) => cell !== '')
      .slice(0, RAGGED_CELLS);
    return { identity: formatRowIdentity(shown.length === 0 ? [] : [`cells ${shown.map(quoteValue).join(', ')}`]) };
  }
  const cellOf = (column: number | undefined) => (column === undefined ? '' : normaliseText(cells[column] ?? ''));
  const username = formUsername(cells, context, cellOf);
  if (username !== undefined) return { username };

  const parts: string[] = [];
  for (const field of IDENTIFYING_FIELDS) {
    const value = cellOf(layout.columnOfField[field]);
    if (value !== '') parts.push(`${field} ${quoteValue(value)}`);
  }
  const usernameCell = cellOf(layout.columnOfField.username);
  if (usernameCell !== '') parts.push(`username ${quoteValue(usernameCell)}`);
  for (const column of context.usernameTemplate.columns) {
    const value = cellOf(column);
    if (value !== '')
      parts.push(`${quoteValue(layout.header[column]?.trim() ?? `${column + 1}`)} ${quoteValue(value)}`);
  }
  return { identity: formatRowIdentity(parts) };
}

/** The row's username as normaliseRow would make it, when everything it is made of reads. */
function formUsername(
  cells: readonly string[],
  context: NormaliseContext,
  cellOf: (column: number | undefined) => string,
): string | undefined {
  const { columnOfField } = context.layout;
  let username: string | undefined;
  if (columnOfField.username !== undefined) {
    username = cellOf(columnOfField.username);
  } else {
    const customer: Omit<Customer, 'username'> = {};
    for (const field of TEXT_FIELDS) {
      const value = cellOf(columnOfField[field]);
      if (value !== '' && value.length <= (FIELD_LIMITS[field] ?? Number.POSITIVE_INFINITY)) customer[field] = value;
    }
    const email = normaliseEmail(cellOf(columnOfField.primaryEmail));
    if (email.ok) customer.primaryEmail = email.email;
    const derived = context.usernameTemplate(customer, cells);
    if (derived.ok) username = derived.username;
  }
  if (!username || UNUSABLE.test(username) || username.length > (FIELD_LIMITS.username ?? 0)) return undefined;
  return username;
}
