import { compileUsernameTemplate } from '../../src/normalise/compileUsernameTemplate.js';
import type { ColumnMapping } from '../../src/normalise/loadMapping.js';
import type { NormaliseContext } from '../../src/normalise/normaliseRow.js';
import { resolveColumns } from '../../src/normalise/resolveColumns.js';
import type { RawRow } from '../../src/types.js';

export interface ContextOptions {
  mapping?: ColumnMapping;
  template?: string;
  retailerId?: string;
  defaultCountry?: string;
  phoneExtension?: 'reject' | 'drop';
  allowFormulaValues?: boolean;
}

/** A normalise context for a header, as a run builds it (default template, retailer 1). */
export function aContext(header: string[], options: ContextOptions = {}): NormaliseContext {
  const layout = resolveColumns(header, options.mapping);
  const template = options.template ?? '{retailerId}_{primaryEmail}';
  return {
    layout,
    usernameTemplate: compileUsernameTemplate(template, layout, 'retailerId' in options ? options.retailerId : '1'),
    defaultCountry: options.defaultCountry,
    phoneExtension: options.phoneExtension,
    allowFormulaValues: options.allowFormulaValues,
    valueMaps: options.mapping?.values,
  };
}

/** A raw row from a header → cell record, in the record's order; also returns the matching header. */
export function aRow(values: Record<string, string>): { header: string[]; raw: RawRow } {
  return { header: Object.keys(values), raw: { row: 1, line: 2, cells: Object.values(values) } };
}
