/**
 * How a row with no username says who it is (SPEC §4: never just `none`): its reason ends with the values that
 * identify it, ` (row of primaryEmail "jane@", firstName "Jane", lastName "Doe")`, so outcomes.csv, rejects.csv and
 * the page all show them. The one place that writes that ending and the one that reads it back.
 */
const OPENING = ' (row of ';
const NOTHING = ' (row with no email, name or key)';

/**
 * The ending a reason gains for a row with no username: `parts` are the row's identifying values, each already
 * written as `name "value"`; none gives `(row with no email, name or key)`.
 */
export function formatRowIdentity(parts: readonly string[]): string {
  return parts.length === 0 ? NOTHING : `${OPENING}${parts.join(', ')})`;
}

/** A reason and the identifying values it ends with (without the parentheses), when it has them. */
export function splitRowIdentity(reason: string): { reason: string; identity: string | undefined } {
  if (reason.endsWith(NOTHING)) {
    return { reason: reason.slice(0, -NOTHING.length), identity: 'no email, name or key' };
  }
  const at = reason.lastIndexOf(OPENING);
  if (at === -1 || !reason.endsWith(')')) return { reason, identity: undefined };
  return { reason: reason.slice(0, at), identity: reason.slice(at + OPENING.length, -1) };
}

/** The reason without the identifying values a row with no username adds to it. */
export function withoutRowIdentity(reason: string): string {
  return splitRowIdentity(reason).reason;
}
