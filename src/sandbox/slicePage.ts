/** Which page of a connection a query asks for, with its cursors already turned into positions. */
export interface PageRequest {
  first?: number | null;
  last?: number | null;
  /** Only items at a higher position. */
  after?: number;
  /** Only items at a lower position. */
  before?: number;
}

export interface Page<T> {
  items: T[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

export type PageResult<T> = { ok: true; page: Page<T> } | { ok: false; message: string };

/** Fluent's page size when the query gives no `first` (SPEC §1), for customers and retailers alike. */
export const DEFAULT_PAGE_SIZE = 10;

/**
 * Cuts one page out of a connection's matches, the way Fluent pages: `after`/`before` cursors, then `first`
 * (or 10 when neither `first` nor `last` is given), then `last`.
 *
 * @param items the matches, ascending by `positionOf` (a customer's id, a retailer's place in the list)
 */
export function slicePage<T>(
  items: readonly T[],
  positionOf: (item: T) => number,
  request: PageRequest,
): PageResult<T> {
  if (request.first != null && request.first < 0) return { ok: false, message: 'first must not be negative' };
  if (request.last != null && request.last < 0) return { ok: false, message: 'last must not be negative' };
  let start = request.after === undefined ? 0 : firstIndexAbove(items, positionOf, request.after);
  let end = request.before === undefined ? items.length : firstIndexAbove(items, positionOf, request.before - 1);
  end = Math.max(start, end);
  if (request.first != null) end = Math.min(end, start + request.first);
  else if (request.last == null) end = Math.min(end, start + DEFAULT_PAGE_SIZE);
  if (request.last != null) start = Math.max(start, end - request.last);
  return {
    ok: true,
    page: { items: items.slice(start, end), hasPreviousPage: start > 0, hasNextPage: end < items.length },
  };
}

/** Index of the first item whose position is above `position` (binary search over the sorted items). */
function firstIndexAbove<T>(items: readonly T[], positionOf: (item: T) => number, position: number): number {
  let low = 0;
  let high = items.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (positionOf(items[middle] as T) <= position) low = middle + 1;
    else high = middle;
  }
  return low;
}
