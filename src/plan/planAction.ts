import {
  type Action,
  CREATE_OPTIONAL_FIELDS,
  type CreateCustomerInput,
  type Customer,
  type CustomerField,
  type FieldChange,
  type OmsCustomer,
  UPDATABLE_FIELDS,
  type UpdateCustomerInput,
} from '../types.js';
import { usernameKey } from '../usernameKey.js';

/**
 * Decides what to do for one username from the file's customer and what the OMS lookup returned for it (SPEC §3).
 * Pure: no I/O, no clock.
 *
 * Fluent does not document whether its lookup matches usernames exactly, without regard to case, or with `%`/`_` as
 * wildcards, so `matches` may hold more than the username itself: only an exact match is the same customer, a name
 * that differs only in case is a case variant, and anything else the lookup returned is ignored.
 * - held by another retailer, in any case → `conflict` (Fluent only enforces uniqueness per retailer; account-wide
 *   uniqueness is this tool's job), even when this retailer holds it too: sending anything would deepen the split.
 * - this retailer holds a case variant → `conflict` naming it, never a second customer beside it.
 * - not in the OMS → `create` (needs a primaryEmail; `promotionOptIn` defaults to false).
 * - in the OMS for this retailer → `update` with only the changed fields, or `unchanged`. Empty cells are "no value"
 *   and never clear a field. `department` cannot be updated in Fluent: a difference is only reported.
 */
export function planAction(customer: Customer, matches: readonly OmsCustomer[], retailerId: string): Action {
  const key = usernameKey(customer.username);
  const same = matches.filter((m) => usernameKey(m.username) === key);
  const others = same.filter((m) => m.retailerId !== retailerId);
  if (others.length > 0) {
    const holders = others.map(
      (m) => `${describeName(m, customer.username)}retailer ${m.retailerId ?? '?'} (customer id ${m.id})`,
    );
    return { kind: 'conflict', reason: `username is already held by ${holders.join(', ')}` };
  }
  const variants = same.filter((m) => m.username !== customer.username);
  if (variants.length > 0) {
    const names = variants.map((m) => `"${m.username}" (customer id ${m.id})`).join(', ');
    return {
      kind: 'conflict',
      reason: `the OMS holds ${names}, which differs from this username only in case; use that spelling in the file or change one of them in Fluent`,
    };
  }
  const own = same.find((m) => m.retailerId === retailerId);
  return own ? planUpdate(customer, own) : planCreate(customer, retailerId);
}

/** "a case variant "X" under " when the holder's username is spelled differently from the row's, else "". */
function describeName(match: OmsCustomer, username: string): string {
  return match.username === username ? '' : `a case variant "${match.username}" under `;
}

function planCreate(customer: Customer, retailerId: string): Action {
  if (customer.primaryEmail === undefined) {
    return { kind: 'rejected', reason: 'primaryEmail is empty; Fluent needs one to create a customer' };
  }
  const input: CreateCustomerInput = {
    username: customer.username,
    primaryEmail: customer.primaryEmail,
    promotionOptIn: customer.promotionOptIn ?? false,
    retailer: { id: retailerId },
  };
  for (const field of CREATE_OPTIONAL_FIELDS) {
    const value = customer[field];
    if (value !== undefined) input[field] = value;
  }
  const changes: FieldChange[] = [];
  for (const [field, value] of Object.entries(input) as [CustomerField | 'retailer', unknown][]) {
    if (field === 'retailer') continue;
    changes.push({ username: customer.username, field, before: null, after: value as string | boolean });
  }
  return { kind: 'create', input, changes };
}

function planUpdate(customer: Customer, own: OmsCustomer): Action {
  const input: UpdateCustomerInput = { username: own.username };
  const changes: FieldChange[] = [];
  for (const field of UPDATABLE_FIELDS) {
    const value = customer[field];
    if (value === undefined || value === own[field]) continue;
    (input as unknown as Record<string, unknown>)[field] = value;
    changes.push({ username: own.username, field, before: own[field], after: value });
  }
  const department =
    customer.department !== undefined && customer.department !== own.department
      ? `department differs (OMS "${own.department ?? ''}", file "${customer.department}") but Fluent cannot update it`
      : '';
  if (changes.length === 0) {
    return { kind: 'unchanged', reason: department || 'identical to the OMS' };
  }
  return { kind: 'update', input, changes, note: department };
}
