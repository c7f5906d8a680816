import { canonicalJson } from '../normalise/canonicalJson.js';
import { hashCustomer } from '../normalise/hashCustomer.js';
import { quoteValue } from '../normalise/quoteValue.js';
import {
  type AttributeType,
  type ChangedField,
  CUSTOMER_FIELDS,
  type Customer,
  type CustomerAttribute,
  type FieldChange,
  type JsonValue,
  type OmsAttribute,
  type OmsCustomer,
} from '../types.js';

/** A field's value as a diff line holds it: text, a flag, or null for none (an attribute: its value as text). */
export type HeldValue = string | boolean | null;

/** A value Fluent did not take as sent: the field (an attribute as `attributes.NAME`), what was meant, what it holds. */
export interface NotTaken {
  field: ChangedField;
  /** The value sent (null: cleared, or for an attribute, removed). */
  meant: HeldValue;
  /** What Fluent holds after the mutation. */
  held: HeldValue;
}

const ATTRIBUTE = 'attributes.';

/**
 * Verified writes (SPEC §1): what a create, update or undo's put-back meant — each change's `after` — against the
 * customer Fluent answered it with (or a lookup found). Every value the customer does not hold as meant is listed:
 * dropped, reformatted, truncated, kept after a null, an attribute merged in instead of removed. Fields are compared
 * exactly; an attribute by its value as a diff line shows it (text as it is, anything else as canonical JSON). Pure.
 *
 * @returns the values not taken as sent, in the order of `changes`; empty when Fluent holds everything as meant
 */
export function verifyWrite(changes: readonly FieldChange[], held: OmsCustomer): NotTaken[] {
  const notTaken: NotTaken[] = [];
  for (const change of changes) {
    const now = heldValue(held, change.field);
    if (now !== change.after) notTaken.push({ field: change.field, meant: change.after, held: now });
  }
  return notTaken;
}

/** Whether the OMS holds the `after` of every change: what a mutation that made those changes leaves behind. */
export function holdsChanges(changes: readonly FieldChange[], oms: OmsCustomer | undefined): boolean {
  return oms !== undefined && verifyWrite(changes, oms).length === 0;
}

/**
 * Whether the customer shows a mutation of these changes applied, in part or otherwise than sent: some field it sends
 * holds another value than it had before (the value sent, or another Fluent made of it). After a lost answer, such a
 * customer is verified like an answer instead of being sent the same values again.
 */
export function showsApplied(changes: readonly FieldChange[], held: OmsCustomer): boolean {
  return changes.some((change) => heldValue(held, change.field) !== change.before);
}

/** A field's value as the customer holds it, as diff lines show it; an attribute's as text, null when absent. */
export function heldValue(held: OmsCustomer, field: ChangedField): HeldValue {
  if (field.startsWith(ATTRIBUTE)) return attributeText(held.attributes ?? [], field.slice(ATTRIBUTE.length));
  return (held[field as keyof OmsCustomer] as HeldValue | undefined) ?? null;
}

/** An attribute's value as a diff line shows it (text as it is, anything else as JSON), or null when absent. */
export function attributeText(list: readonly OmsAttribute[], name: string): string | null {
  const found = list.find((attribute) => attribute.name === name);
  if (!found) return null;
  return typeof found.value === 'string' ? found.value : canonicalJson(found.value);
}

/**
 * The changes Fluent shows made, for diff.csv and for an undo of the run: each change as planned where it was taken,
 * or `before` → what Fluent holds where it was not, and nothing where Fluent holds what it held before.
 */
export function takenChanges(changes: readonly FieldChange[], notTaken: readonly NotTaken[]): FieldChange[] {
  const missed = new Map(notTaken.map((entry) => [entry.field, entry.held]));
  return changes.flatMap((change) => {
    if (!missed.has(change.field)) return [change];
    const held = missed.get(change.field) ?? null;
    return held === change.before ? [] : [{ ...change, after: held }];
  });
}

/**
 * Each value not taken in a reason's words: `primaryPhone holds "+61 412 345 678", not "+61412345678"`, joined by
 * `; `. Values are quoted as rejection reasons quote them (cut, control characters escaped); none is `(none)`.
 */
export function describeNotTaken(notTaken: readonly NotTaken[]): string {
  return notTaken
    .map((entry) => `${entry.field} holds ${showHeld(entry.held)}, not ${showHeld(entry.meant)}`)
    .join('; ');
}

/** A value for a reason: quoted text, a flag as true/false, `(none)` for no value. */
export function showHeld(value: HeldValue): string {
  if (value === null) return '(none)';
  return typeof value === 'boolean' ? String(value) : quoteValue(value);
}

/**
 * The hash of what Fluent holds of a row (SPEC §1: the checkpoint records it when a value was not taken as sent): the
 * row's customer with each field and attribute it gives replaced by Fluent's value (absent where Fluent holds none).
 * It equals the row's own hash exactly when Fluent holds the row as the file gives it, so a file later changed to what
 * Fluent holds is `unchanged` with no request, and a file that still says what was not taken is not.
 */
export function heldHash(customer: Customer, held: OmsCustomer): string {
  const holds: Customer = { username: customer.username };
  const fields = holds as unknown as Record<string, HeldValue>;
  for (const field of CUSTOMER_FIELDS) {
    if (field === 'username' || customer[field] === undefined) continue;
    const value = held[field];
    if (value !== null && value !== undefined) fields[field] = value;
  }
  const attributes: CustomerAttribute[] = [];
  for (const { name } of customer.attributes ?? []) {
    const found = held.attributes?.find((attribute) => attribute.name === name);
    if (found) {
      attributes.push({ name, type: found.type.toUpperCase() as AttributeType, value: found.value as JsonValue });
    }
  }
  if (attributes.length > 0) holds.attributes = attributes;
  return hashCustomer(holds);
}
