/**
 * Paging as Fluent's real API may answer it (`--page-faults`, sandboxVariants.ts), played over the answers of the
 * sandbox's own connections: cursors are wrapped with the page they end, so the sandbox knows which page of a
 * listing it is answering without keeping a listing's state, and unwrapped before the request runs.
 */
import type { GraphqlExecution, GraphqlRequest } from './createSandboxExecutor.js';
import type { PageFaultKind } from './sandboxVariants.js';

/** The page of a listing where `stall` and `no-cursor` break it. */
const BROKEN_PAGE = 3;
const WRAPPED = /^pf(\d+)\.([\s\S]*)$/;
/** Last edges kept for repeating; a listing needs only its previous page's. */
const MAX_REMEMBERED = 10_000;

interface Edge {
  cursor?: unknown;
  node?: unknown;
}

export interface PageFaults {
  /** Runs `request` through `execute` with its cursors unwrapped, and plays the faults on the answer. */
  play(request: GraphqlRequest, execute: (request: GraphqlRequest) => GraphqlExecution): GraphqlExecution;
}

/** Creates the page faults of `kind`. */
export function createPageFaults(kind: PageFaultKind): PageFaults {
  const lastEdges = new Map<string, Edge>();
  return {
    play(request, execute) {
      let page = 1;
      let after: string | undefined;
      const variables: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(request.variables ?? {})) {
        const wrapped = typeof value === 'string' ? WRAPPED.exec(value) : null;
        if (wrapped) {
          page = Math.max(page, Number(wrapped[1]) + 1);
          after = value as string;
          variables[name] = wrapped[2];
        } else variables[name] = value;
      }
      const execution = execute({ ...request, variables });
      const { data } = execution.body;
      if (typeof data !== 'object' || data === null) return execution;
      for (const value of Object.values(data)) {
        const connection = value as { edges?: Edge[] | null; pageInfo?: { hasNextPage?: boolean } | null } | null;
        if (!connection || !Array.isArray(connection.edges)) continue;
        const edges = connection.edges.map((edge) =>
          typeof edge?.cursor === 'string' ? { ...edge, cursor: `pf${page}.${edge.cursor}` } : edge,
        );
        const repeated = after === undefined ? undefined : lastEdges.get(after);
        if (repeated) edges.unshift(repeated);
        const last = edges.at(-1);
        if (last && typeof last.cursor === 'string') {
          if (lastEdges.size >= MAX_REMEMBERED) lastEdges.clear();
          lastEdges.set(last.cursor, last);
        }
        if (page === BROKEN_PAGE && connection.pageInfo?.hasNextPage && last) {
          if (kind === 'stall' && after !== undefined) edges[edges.length - 1] = { ...last, cursor: after };
          if (kind === 'no-cursor') for (let i = 0; i < edges.length; i++) edges[i] = { ...edges[i], cursor: null };
        }
        connection.edges = edges;
      }
      return execution;
    },
  };
}
