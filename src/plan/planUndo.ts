import {
  type FieldChange,
  type OmsAttribute,
  type OmsCustomer,
  UPDATABLE_FIELDS,
  type UpdateCustomerInput,
} from '../types.js';
import { attributeText, showHeld } from './verifyWrite.js';

type Value = string | boolean | null;

/** What undoing one customer of a run comes to (SPEC §2 `undo`). Pure. */
export type UndoPlan =
  /** Send these fields back to their earlier values; `changedSince` names the fields that cannot be put back. */
  | { kind: 'restore'; input: UpdateCustomerInput; changes: FieldChange[]; changedSince: string[] }
  /** Nothing can or need be sent; the reason says why, `complete` whether the customer is as before the run. */
  | { kind: 'skip'; reason: string; complete: boolean };

/**
 * Plans the undo of what `runId` did to one customer, from the field changes the run recorded and what the OMS holds
 * now. A field the run updated gets its earlier value back only where the OMS still holds the value the run set;
 * otherwise it "changed since" and is left alone; attributes likewise. A customer the run created is listed, not removed: Fluent has no
 * delete. The changes of the plan are recorded like any run's, so undoing an undo is the original run again.
 */
export function planUndo(input: {
  runId: string;
  username: string;
  /** How the run ended for this customer. */
  outcome: 'created' | 'updated';
  /** The run's field changes for the customer, in order. */
  changes: readonly FieldChange[];
  /** The customer as the OMS holds it now, for the run's retailer; undefined when the lookup finds none. */
  oms: OmsCustomer | undefined;
}): UndoPlan {
  const { runId } = input;
  if (input.outcome === 'created') {
    return {
      kind: 'skip',
      reason: `created by run ${runId}; Fluent cannot delete a customer, so remove or deactivate it in Fluent if it should not exist`,
      complete: false,
    };
  }
  if (!input.oms) {
    return { kind: 'skip', reason: `changed since run ${runId}: the customer is no longer found`, complete: false };
  }
  // The first `before` and the last `after` of each field: what it was before the run, and what the run left.
  const span = new Map<string, { before: Value; after: Value }>();
  for (const change of input.changes) {
    const seen = span.get(change.field);
    span.set(change.field, { before: seen ? seen.before : change.before, after: change.after });
  }
  const restore: UpdateCustomerInput = { username: input.oms.username };
  const changes: FieldChange[] = [];
  const changedSince: string[] = [];
  for (const field of UPDATABLE_FIELDS) {
    const was = span.get(field);
    if (!was) continue;
    const now = input.oms[field];
    // Already back (an earlier undo of this run was killed after sending it): nothing to send.
    if (now === was.before) continue;
    if (now !== was.after) {
      changedSince.push(`${field} is now ${showHeld(now)}, not ${showHeld(was.after)}`);
      continue;
    }
    (restore as unknown as Record<string, Value>)[field] = was.before;
    changes.push({ username: input.oms.username, field, before: now, after: was.before });
  }
  const attributes = planAttributeUndo(span, input.oms);
  changedSince.push(...attributes.changedSince);
  if (attributes.changes.length > 0) {
    restore.attributes = attributes.list;
    for (const change of attributes.changes) changes.push({ username: input.oms.username, ...change });
  }
  if (changes.length === 0) {
    return changedSince.length > 0
      ? { kind: 'skip', reason: `changed since run ${runId}: ${changedSince.join('; ')}`, complete: false }
      : { kind: 'skip', reason: `already as it was before run ${runId}`, complete: true };
  }
  return { kind: 'restore', input: restore, changes, changedSince };
}

const ATTRIBUTE = 'attributes.';

/**
 * The run's attribute changes put back the same way as fields: an attribute whose value the OMS still holds as the run
 * set it gets its earlier value (typed as the OMS holds it), one the run added is taken out of the list, and the
 * customer's whole list is sent, so an attribute the run never touched stays as it is.
 */
function planAttributeUndo(
  span: ReadonlyMap<string, { before: Value; after: Value }>,
  oms: OmsCustomer,
): { list: OmsAttribute[]; changes: Omit<FieldChange, 'username'>[]; changedSince: string[] } {
  let list: OmsAttribute[] = (oms.attributes ?? []).map((attribute) => ({ ...attribute }));
  const changes: Omit<FieldChange, 'username'>[] = [];
  const changedSince: string[] = [];
  for (const [field, was] of span) {
    if (!field.startsWith(ATTRIBUTE)) continue;
    const name = field.slice(ATTRIBUTE.length);
    const now = attributeText(list, name);
    if (now === was.before) continue;
    if (now !== was.after) {
      changedSince.push(`${field} is now ${showHeld(now)}, not ${showHeld(was.after)}`);
      continue;
    }
    const held = list.find((attribute) => attribute.name === name);
    if (was.before === null) list = list.filter((attribute) => attribute.name !== name);
    else if (held) held.value = typedValue(String(was.before), held.type);
    changes.push({ field: field as FieldChange['field'], before: now, after: was.before });
  }
  return { list, changes, changedSince };
}

/** A diff line's text back as the value of an attribute of `type`. */
function typedValue(text: string, type: string): unknown {
  switch (type.toUpperCase()) {
    case 'STRING':
      return text;
    case 'BOOLEAN':
      return text === 'true';
    default:
      try {
        return JSON.parse(text);
      } catch {
        return text;
      }
  }
}
