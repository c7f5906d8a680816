import { DEFAULT_PAGE_SIZE, type PageRequest } from './slicePage.js';

/** The two questions a page asks of the table, under a condition (SQL over `customers`) and its parameters. */
export interface CustomerQueries {
  /** Ids of the customers meeting `sql` (which may end in ORDER BY and LIMIT). */
  idsOf(sql: string, params: readonly unknown[]): number[];
  /** Whether any customer meets `sql`. */
  exists(sql: string, params: readonly unknown[]): boolean;
}

export interface IdPage {
  ids: number[];
  hasPreviousPage: boolean;
  hasNextPage: boolean;
}

/**
 * Cuts one page of a connection out of the customers meeting `where`, as `slicePage` cuts a list (after/before,
 * then `first` or 10 when neither `first` nor `last` is given, then `last`), with indexes instead of the whole list:
 * one query for the page, one more to learn whether something comes after it, and one for what comes before
 * unless the page starts at the beginning.
 *
 * @param page `after` and `before` are ids; `first` and `last` are not negative (checked by the caller)
 */
export function pageCustomerIds(
  queries: CustomerQueries,
  where: { sql: string; params: readonly unknown[] },
  page: PageRequest,
): IdPage {
  let window = where.sql;
  const windowParams = [...where.params];
  if (page.after !== undefined) {
    window += ' AND id > ?';
    windowParams.push(page.after);
  }
  if (page.before !== undefined) {
    window += ' AND id < ?';
    windowParams.push(page.before);
  }
  const matchedBeyond = (condition: string, id: number) =>
    queries.exists(`${where.sql} AND ${condition}`, [...where.params, id]);
  const anyMatched = () => queries.exists(where.sql, where.params);

  const forward = page.first != null || page.last == null;
  let ids: number[];
  let knownNext: boolean | undefined;
  let fromStart = false;
  /** The last id `first` let in, when `last` then left none of them: the empty page sits after it. */
  let cutAfter: number | undefined;
  if (forward) {
    const limit = page.first ?? DEFAULT_PAGE_SIZE;
    // One more than the page holds says whether another follows, when nothing cuts the window short.
    const taken = queries.idsOf(`${window} ORDER BY id LIMIT ?`, [...windowParams, limit + 1]);
    ids = taken.slice(0, limit);
    if (page.before === undefined) knownNext = taken.length > limit;
    const dropped = page.last != null ? Math.max(0, ids.length - page.last) : 0;
    if (dropped > 0 && dropped === ids.length) cutAfter = ids.at(-1);
    ids = ids.slice(dropped);
    fromStart = page.after === undefined && dropped === 0;
  } else {
    ids = queries.idsOf(`${window} ORDER BY id DESC LIMIT ?`, [...windowParams, page.last]).reverse();
  }

  const first = ids[0];
  const last = ids.at(-1);
  if (first !== undefined && last !== undefined) {
    return {
      ids,
      hasPreviousPage: fromStart ? false : matchedBeyond('id < ?', first),
      hasNextPage: knownNext ?? matchedBeyond('id > ?', last),
    };
  }
  // An empty page sits at a cut: the matches up to `cut` come before it, the rest after.
  if (cutAfter !== undefined)
    return { ids, hasPreviousPage: true, hasNextPage: knownNext ?? matchedBeyond('id > ?', cutAfter) };
  const cut = forward ? page.after : Math.max(page.after ?? -Infinity, (page.before ?? Infinity) - 1);
  if (cut === undefined || cut === -Infinity) return { ids, hasPreviousPage: false, hasNextPage: anyMatched() };
  if (cut === Infinity) return { ids, hasPreviousPage: anyMatched(), hasNextPage: false };
  return { ids, hasPreviousPage: matchedBeyond('id <= ?', cut), hasNextPage: matchedBeyond('id > ?', cut) };
}
