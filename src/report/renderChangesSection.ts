import type { ChangedField, DiffLine, RunMode } from '../types.js';
import { CUSTOMER_FIELDS } from '../types.js';
import { escapeHtml } from './escapeHtml.js';
import { formatCount } from './formatCount.js';
import type { ChangeExcerpt } from './htmlReportTypes.js';
import { fieldLabel, formatValue } from './pageWording.js';
import { renderFilterBar } from './renderFilterBar.js';

/**
 * The field-level changes (made, or in a dry run to be made): how many customers each field changed for, then one
 * line per customer with each changed field in its column, before → after and the file's cell where it reads otherwise.
 */
export function* renderChangesSection(mode: RunMode, changes: ChangeExcerpt, rowLimit: number): Generator<string> {
  const heading = mode === 'dry-run' ? 'Changes that would be made' : 'Changes made';
  yield `<section id="changes">\n<h2>${heading}</h2>\n`;
  if (changes.total === 0) {
    yield `<p class="empty">${mode === 'dry-run' ? 'No customer would change.' : 'No customer was changed.'}</p>\n</section>\n`;
    return;
  }
  const fields = orderFields([...changes.byField.keys()].filter((field) => field !== 'username'));
  yield `<h3>Changes per field</h3>
<table class="fields" id="field-counts"><thead><tr><th>Field</th><th class="num">Customers</th></tr></thead><tbody>
${fields.map((field) => `<tr><td>${escapeHtml(fieldLabel(field))}</td><td class="num">${formatCount(changes.byField.get(field) ?? 0)}</td></tr>`).join('\n')}
</tbody></table>
<h3>The customers</h3>
<p class="sub">One line per ${mode === 'dry-run' ? 'customer that would change' : 'changed customer'}, each changed field in its column: the value before (struck through; a new customer has none) → the value ${mode === 'dry-run' ? 'to be written' : 'written'}, and below it the cell as the file had it, where the tool read it into another form.</p>
${renderFilterBar('change-rows', 'customers', [{ attribute: 'data-fields', label: 'Field', every: 'any field', options: fields.map((field) => [field, fieldLabel(field)]) }])}
`;
  const shown = changes.rows.slice(0, rowLimit);
  const columns = orderFields([
    ...new Set(shown.flatMap((customer) => customer.changes.map((c) => c.field)).filter((f) => f !== 'username')),
  ]);
  yield `<div class="scroll"><table class="rows changes" id="change-rows"><thead><tr><th>Username</th>${columns.map((field) => `<th>${escapeHtml(fieldLabel(field))}</th>`).join('')}</tr></thead><tbody>\n`;
  for (const customer of shown) {
    const byField = new Map(customer.changes.map((change) => [change.field, change]));
    const changed = customer.changes.map((change) => change.field);
    const cells = columns.map((field) => {
      const change = byField.get(field);
      return change ? `<td>${formatChange(change)}</td>` : '<td class="same"></td>';
    });
    yield `<tr data-fields="|${escapeHtml(changed.join('|'))}|"><td>${escapeHtml(customer.username)}</td>${cells.join('')}</tr>\n`;
  }
  yield '</tbody></table></div>\n';
  if (changes.total > rowLimit) {
    yield `<p class="note">Showing the first ${formatCount(rowLimit)} of ${formatCount(changes.total)} customers (${formatCount(changes.lines)} changed fields). The full list is in <a href="diff.csv">diff.csv</a>.</p>\n`;
  }
  yield '</section>\n';
}

/** One changed field of a customer: before → after, and the file's cell where it reads otherwise than what is written. */
function formatChange(change: DiffLine): string {
  const before = change.before === null || change.before === '' ? '' : `<del>${formatValue(change.before)}</del> → `;
  const input = readsOtherwise(change) ? `<div class="input">file: ${escapeHtml(change.input)}</div>` : '';
  return `${before}<span class="after">${formatValue(change.after)}</span>${input}`;
}

/**
 * Whether the file's cell reads otherwise than the value written, beyond surrounding spaces: `0412 345 678` for
 * `+61412345678` or `Ja` for yes does; ` Ann ` for `Ann`, or `TRUE` and `yes` for yes, do not.
 */
function readsOtherwise(change: DiffLine): boolean {
  const input = change.input.trim();
  if (input === '' || change.after === null) return false;
  if (typeof change.after === 'boolean') {
    const same = change.after ? ['true', 'yes'] : ['false', 'no'];
    return !same.includes(input.toLowerCase());
  }
  return input !== change.after;
}

/** Fields in report order (CUSTOMER_FIELDS), attributes after them by name. */
function orderFields(fields: readonly ChangedField[]): ChangedField[] {
  const known = CUSTOMER_FIELDS.filter((field) => fields.includes(field));
  const attributes = fields.filter((field) => !(CUSTOMER_FIELDS as readonly string[]).includes(field)).sort();
  return [...known, ...attributes];
}
