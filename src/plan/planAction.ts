import { canonicalJson } from '../normalise/canonicalJson.js';
import { quoteValue } from '../normalise/quoteValue.js';
import { usernameKey } from '../shared/usernameKey.js';
import {
  type Action,
  CREATE_OPTIONAL_FIELDS,
  type CreateCustomerInput,
  type Customer,
  type CustomerAttribute,
  type CustomerField,
  type FieldChange,
  type OmsAttribute,
  type OmsCustomer,
  UPDATABLE_FIELDS,
  type UpdateCustomerInput,
  type WriteMode,
} from '../types.js';

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
 * - not in the OMS → `create` (needs a primaryEmail; `promotionOptIn` defaults to false); with `--mode update-only`
 *   → `skipped`.
 * - in the OMS for this retailer → `update` with only the changed fields, or `unchanged`. Empty cells are "no value"
 *   and never clear a field. `department` cannot be updated in Fluent: a difference is only reported. With
 *   `--mode create-only` an existing customer that differs is `kept`: left as it is, the reason naming what differs.
 *   A customer the OMS holds as INACTIVE (any status but ACTIVE) is updated like any other, its reason saying so.
 * - attributes are compared like fields, by name; an update that changes any sends the customer's whole list (the
 *   OMS's attributes with the file's changed), so one the file does not manage survives whether Fluent replaces or
 *   merges the list.
 */
export function planAction(
  customer: Customer,
  matches: readonly OmsCustomer[],
  retailerId: string,
  mode: WriteMode = 'upsert',
): Action {
  const key = usernameKey(customer.username);
  const same = matches.filter((m) => usernameKey(m.username) === key);
  const others = same.filter((m) => m.retailerId !== retailerId);
  if (others.length > 0) {
    const holders = others.map(
      (m) => `${describeName(m, customer.username)}retailer ${m.retailerId ?? '?'} (customer id ${m.id})`,
    );
    return { kind: 'conflict', reason: `username is already held by ${holders.join(', ')}`, conflict: 'otherRetailer' };
  }
  const variants = same.filter((m) => m.username !== customer.username);
  if (variants.length > 0) {
    const names = variants.map((m) => `"${m.username}" (customer id ${m.id})`).join(', ');
    return {
      kind: 'conflict',
      reason: `the OMS holds ${names}, which differs from this username only in case; use that spelling in the file or change one of them in Fluent`,
      conflict: 'caseVariant',
    };
  }
  const own = same.find((m) => m.retailerId === retailerId);
  if (!own) {
    if (mode === 'update-only') {
      return { kind: 'skipped', reason: 'not in the OMS, and --mode update-only creates no customer' };
    }
    return planCreate(customer, retailerId);
  }
  const update = planUpdate(customer, own);
  if (update.kind === 'update' && mode === 'create-only') {
    const fields = update.changes.map((change) => change.field).join(', ');
    const reason = `already in the OMS, and --mode create-only leaves existing customers as they are (it differs in ${fields})`;
    return { kind: 'kept', reason: update.note ? `${reason}; ${update.note}` : reason };
  }
  const status = update.kind === 'update' ? describeStatus(own) : '';
  if (update.kind === 'update' && status !== '')
    return { ...update, note: update.note ? `${update.note}; ${status}` : status };
  return update;
}

/**
 * A customer the OMS holds as other than ACTIVE (INACTIVE, most often) is updated all the same, and its reason says
 * so: updateCustomer has no status, so the update leaves it as it is, which someone may not expect.
 */
function describeStatus(own: OmsCustomer): string {
  if (own.status === null || own.status === 'ACTIVE') return '';
  return `the OMS holds the customer as ${quoteValue(own.status)}; updated all the same, its status left as it is`;
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
  if (customer.attributes && customer.attributes.length > 0) {
    input.attributes = customer.attributes.map((attribute) => ({ ...attribute }));
    for (const attribute of customer.attributes) {
      changes.push({
        username: customer.username,
        field: `attributes.${attribute.name}`,
        before: null,
        after: showValue(attribute.value),
      });
    }
  }
  return { kind: 'create', input, changes };
}

function planUpdate(customer: Customer, own: OmsCustomer): Extract<Action, { kind: 'update' | 'unchanged' }> {
  const input: UpdateCustomerInput = { username: own.username };
  const changes: FieldChange[] = [];
  for (const field of UPDATABLE_FIELDS) {
    const value = customer[field];
    if (value === undefined || value === own[field]) continue;
    (input as unknown as Record<string, unknown>)[field] = value;
    changes.push({ username: own.username, field, before: own[field], after: value });
  }
  const attributes = planAttributes(customer.attributes ?? [], own.attributes ?? []);
  if (attributes.changes.length > 0) {
    input.attributes = attributes.list;
    for (const { name, before, after } of attributes.changes) {
      changes.push({ username: own.username, field: `attributes.${name}`, before, after });
    }
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

/**
 * The file's attributes against the OMS's: which differ (by name; type compared without regard to case, value as
 * canonical JSON), and the whole list to send when any does — the OMS's entries in their order with the first of
 * each changed name replaced, then the new ones in file order.
 */
function planAttributes(
  wanted: readonly CustomerAttribute[],
  held: readonly OmsAttribute[],
): { list: OmsAttribute[]; changes: { name: string; before: string | null; after: string }[] } {
  const list = held.map((attribute) => ({ ...attribute }));
  const changes: { name: string; before: string | null; after: string }[] = [];
  for (const attribute of wanted) {
    const at = list.findIndex((h) => h.name === attribute.name);
    const current = at === -1 ? undefined : list[at];
    if (
      current !== undefined &&
      current.type.toUpperCase() === attribute.type &&
      canonicalJson(current.value) === canonicalJson(attribute.value)
    ) {
      continue;
    }
    changes.push({
      name: attribute.name,
      before: current === undefined ? null : showValue(current.value),
      after: showValue(attribute.value),
    });
    if (at === -1) list.push({ ...attribute });
    else list[at] = { ...attribute };
  }
  return { list, changes };
}

/** An attribute value as a diff line shows it: text as it is, anything else as JSON. */
function showValue(value: unknown): string {
  return typeof value === 'string' ? value : canonicalJson(value);
}
