/**
 * A Fluent retailer as the preflight needs it: enough to confirm `--retailer-id` names a live retailer and to
 * list the ones that exist when it does not.
 */

export interface RetailerInfo {
  id: string;
  ref: string | null;
  status: string | null;
  tradingName: string | null;
}

/** The retailer selection of FIND_RETAILER and LIST_RETAILERS, as it comes off the wire. */
export interface RetailerNode {
  id?: unknown;
  ref?: unknown;
  status?: unknown;
  tradingName?: unknown;
}

/** Reads one retailer node; ids are strings whether Fluent sends them as numbers or strings. */
export function toRetailerInfo(node: RetailerNode): RetailerInfo {
  return {
    id: String(node.id ?? ''),
    ref: optionalText(node.ref),
    status: optionalText(node.status),
    tradingName: optionalText(node.tradingName),
  };
}

function optionalText(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}
