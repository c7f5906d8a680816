import type { InputContext } from '../checkpoint/runJournal.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import type { ChangedField } from '../types.js';

/**
 * What the run records of its columns: which column each field (and attribute) is read from, for diff.csv's `input`;
 * the template's key columns and how usernames are made, for `explain`.
 */
export function describeRunColumns(
  context: NormaliseContext,
  template: string,
): Pick<InputContext, 'fieldColumns' | 'keyColumns' | 'usernames'> {
  const { layout } = context;
  const fieldColumns: Partial<Record<ChangedField, number>> = { ...layout.columnOfField };
  for (const attribute of layout.attributes) fieldColumns[`attributes.${attribute.name}`] = attribute.column;
  const usernameColumn = layout.columnOfField.username;
  return {
    fieldColumns,
    keyColumns: [...context.usernameTemplate.columns],
    usernames:
      usernameColumn === undefined ? { template } : { column: layout.header[usernameColumn]?.trim() ?? 'username' },
  };
}
