/**
 * The one cursor paginator of the client, for every connection it reads (customers by username, the account's
 * customers, retailers), paging as Fluent's real API may answer (SPEC §1): with the last edge's cursor (PageInfo has no
 * endCursor), each node once however often Fluent repeats an edge across pages, and a listing that cannot go on (a
 * cursor that does not advance, `hasNextPage` with no cursor) ended with a warning instead of a loop or a failure.
 */

/** One page of a connection as it comes off the wire (any part may be null). */
export interface ConnectionPage<N> {
  edges?: Array<{ cursor?: string | null; node?: N | null } | null> | null;
  pageInfo?: { hasNextPage?: boolean | null } | null;
}

/** How a listing ended. */
export type Listing =
  /** Every page was read (or the caller stopped at a page after which none followed). */
  | { complete: true }
  /**
   * It ended before Fluent's last page: `stopped` when the caller asked to stop, else `warning` says why Fluent's
   * pages could not be followed.
   */
  | { complete: false; stopped: true }
  | { complete: false; stopped: false; warning: string };

/**
 * Reads a connection page by page. `fetchPage(after)` asks for the page after the cursor (undefined: the first);
 * `onPage` gets each page's nodes not seen before (by `idOf`) and may answer `'stop'`.
 *
 * @param noun what the connection lists, for the warning (e.g. `customers`)
 */
export async function paginate<N>(options: {
  fetchPage: (after: string | undefined) => Promise<ConnectionPage<N> | null | undefined>;
  /** The node's id; undefined when it has none (such a node is kept: there is nothing to compare it by). */
  idOf: (node: N) => string | undefined;
  onPage: (nodes: N[]) => undefined | 'stop' | Promise<undefined | 'stop'>;
  noun: string;
}): Promise<Listing> {
  const seenIds = new Set<string>();
  const cursorsSeen = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const page = await options.fetchPage(after);
    const edges = page?.edges ?? [];
    const fresh: N[] = [];
    for (const edge of edges) {
      const node = edge?.node;
      if (node === null || node === undefined) continue;
      const id = options.idOf(node);
      if (id !== undefined) {
        if (seenIds.has(id)) continue;
        seenIds.add(id);
      }
      fresh.push(node);
    }
    const asked = await options.onPage(fresh);
    const more = page?.pageInfo?.hasNextPage === true;
    if (!more) return { complete: true };
    if (asked === 'stop') return { complete: false, stopped: true };
    const cursor = edges.at(-1)?.cursor;
    // A cursor given before would list the same pages forever; none at all leaves nowhere to go.
    if (typeof cursor !== 'string' || cursor === '' || cursorsSeen.has(cursor) || cursor === after) {
      return {
        complete: false,
        stopped: false,
        warning: `Fluent said more ${options.noun} follow but gave no new cursor to page with`,
      };
    }
    cursorsSeen.add(cursor);
    after = cursor;
  }
}
