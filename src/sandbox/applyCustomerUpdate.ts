import { UPDATABLE_FIELDS } from '../types.js';
import type {
  SandboxAttribute,
  StoredCustomer,
  StoreSettings,
  TextField,
  UpdateCustomerArgs,
} from './sandboxStoreTypes.js';

const TEXT_FIELDS: readonly TextField[] = UPDATABLE_FIELDS.filter(
  (field): field is TextField => field !== 'promotionOptIn',
);

/**
 * What a customer holds after an updateCustomer, under the two readings Fluent's docs leave open (SPEC §6):
 *
 * - a field absent from the input is left alone; one sent as null is cleared (`nullUpdates: 'clear'`) or left as it
 *   is (`'ignore'`), `attributes: null` included;
 * - a list of attributes replaces the customer's (`attributeUpdates: 'replace'`: one left out is gone) or is merged
 *   in by name (`'merge'`: each sent attribute replaces the one of its name or is added; the others stay).
 *
 * @returns a new customer; `customer` is not changed
 */
export function applyCustomerUpdate(
  customer: StoredCustomer,
  args: UpdateCustomerArgs,
  variants: Pick<StoreSettings, 'attributeUpdates' | 'nullUpdates'>,
  updatedOn: string,
): StoredCustomer {
  const updated: StoredCustomer = { ...customer, updatedOn };
  const sets = (field: keyof UpdateCustomerArgs) =>
    Object.hasOwn(args, field) && (args[field] != null || variants.nullUpdates === 'clear');
  for (const field of TEXT_FIELDS) if (sets(field)) updated[field] = args[field] ?? null;
  if (sets('promotionOptIn')) updated.promotionOptIn = args.promotionOptIn ?? null;
  if (sets('attributes')) {
    const given = copyAttributes(args.attributes);
    updated.attributes =
      given !== null && variants.attributeUpdates === 'merge' ? mergeAttributes(customer.attributes, given) : given;
  }
  return updated;
}

/** The attributes as given, each entry copied; null entries dropped. */
export function copyAttributes(
  given: readonly (SandboxAttribute | null)[] | null | undefined,
): SandboxAttribute[] | null {
  if (given == null) return null;
  return given.flatMap((attribute) =>
    attribute ? [{ name: attribute.name, type: attribute.type, value: attribute.value }] : [],
  );
}

/** `held` with each of `given` put in by name: in the place of the one it replaces, or at the end. */
function mergeAttributes(
  held: readonly SandboxAttribute[] | null,
  given: readonly SandboxAttribute[],
): SandboxAttribute[] | null {
  if (given.length === 0) return held === null ? null : [...held];
  const merged = [...(held ?? [])];
  for (const attribute of given) {
    const at = merged.findIndex((existing) => existing.name === attribute.name);
    if (at >= 0) merged[at] = attribute;
    else merged.push(attribute);
  }
  return merged;
}
