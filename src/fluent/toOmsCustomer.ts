/**
 * A customer node as Fluent answers it (CUSTOMER_SELECTION of documents.ts), read into plain values.
 */
import type { OmsAttribute, OmsCustomer } from '../types.js';

/** The customer selection as it comes off the wire (any part may be null). */
export interface CustomerNode {
  id?: unknown;
  ref?: unknown;
  username?: unknown;
  title?: unknown;
  firstName?: unknown;
  lastName?: unknown;
  primaryEmail?: unknown;
  primaryPhone?: unknown;
  timezone?: unknown;
  promotionOptIn?: unknown;
  department?: unknown;
  country?: unknown;
  status?: unknown;
  retailer?: { id?: unknown } | null;
  attributes?: Array<{ name?: unknown; type?: unknown; value?: unknown } | null> | null;
}

/** Reads one customer node; ids are strings whether Fluent sends them as numbers or strings. */
export function toOmsCustomer(node: CustomerNode): OmsCustomer {
  return {
    id: String(node.id ?? ''),
    ref: text(node.ref),
    username: String(node.username ?? ''),
    title: text(node.title),
    firstName: text(node.firstName),
    lastName: text(node.lastName),
    primaryEmail: text(node.primaryEmail),
    primaryPhone: text(node.primaryPhone),
    timezone: text(node.timezone),
    promotionOptIn: typeof node.promotionOptIn === 'boolean' ? node.promotionOptIn : null,
    department: text(node.department),
    country: text(node.country),
    status: text(node.status),
    retailerId: node.retailer?.id === undefined || node.retailer.id === null ? null : String(node.retailer.id),
    attributes: toAttributes(node.attributes),
  };
}

/** The OMS's attributes as they are (an update sends them back), without null entries or ones with no name. */
function toAttributes(list: CustomerNode['attributes']): OmsAttribute[] | null {
  if (!Array.isArray(list)) return null;
  return list.flatMap((attribute) =>
    attribute && typeof attribute.name === 'string'
      ? [{ name: attribute.name, type: String(attribute.type ?? ''), value: attribute.value ?? null }]
      : [],
  );
}

function text(value: unknown): string | null {
  return value === undefined || value === null ? null : String(value);
}
