import type { UsernameTemplate } from './compileUsernameTemplate.js';
import type { ValueMaps } from './loadMapping.js';
import type { PhoneRules } from './normalisePhone.js';
import type { ColumnLayout } from './resolveColumns.js';

/** What normalising a row needs, fixed for the whole file. */
export interface NormaliseContext {
  layout: ColumnLayout;
  usernameTemplate: UsernameTemplate;
  /** ISO 3166 alpha-2, for phones without a country code in rows without a country. */
  defaultCountry?: string;
  /** `--phone-extension`: an extension rejects the row (the default), or is dropped with a note. */
  phoneExtension?: PhoneRules['extension'];
  /** `--allow-formula-values`: a name or title that is a spreadsheet formula is kept (the reports neutralise it). */
  allowFormulaValues?: boolean;
  /** The mapping file's `values`: what a cell stands for, applied before normalising. */
  valueMaps?: ValueMaps;
}
