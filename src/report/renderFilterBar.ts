import { escapeHtml } from './escapeHtml.js';

/**
 * A search box and filters for one table, hidden until the page's script shows them (without it, every row shows).
 * Each filter keeps the rows whose `attribute` holds the chosen value.
 */
export function renderFilterBar(
  table: string,
  noun: string,
  filters: readonly { attribute: string; label: string; every: string; options: readonly [string, string][] }[],
): string {
  const selects = filters
    .filter((filter) => filter.options.length > 1)
    .map(
      (filter) =>
        `<label>${escapeHtml(filter.label)} <select name="${filter.attribute}"><option value="">${escapeHtml(filter.every)}</option>${filter.options.map(([value, label]) => `<option value="${escapeHtml(value)}">${escapeHtml(label)}</option>`).join('')}</select></label>`,
    );
  return `<div class="filters" data-for="${table}" hidden><label>Search <input type="search" placeholder="Search these ${noun}"></label>${selects.join('')}<span class="count" aria-live="polite"></span></div>`;
}
