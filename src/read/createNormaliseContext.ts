import { compileUsernameTemplate } from '../normalise/compileUsernameTemplate.js';
import type { ColumnMapping } from '../normalise/loadMapping.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import { type ColumnLayout, resolveColumns } from '../normalise/resolveColumns.js';
import type { ResolvedOptions } from '../options/index.js';

/**
 * What a NormaliseContext is made of besides the header: plain data only (the mapping file already read and checked),
 * so that a worker thread can be handed it and build the very context this thread builds.
 */
export interface NormaliseSetup
  extends Pick<
    ResolvedOptions,
    'usernameTemplate' | 'retailerId' | 'defaultCountry' | 'phoneExtension' | 'allowFormulaValues'
  > {
  /** The mapping file's content, read and checked by loadMapping. */
  mapping: ColumnMapping | undefined;
}

/**
 * The column layout and everything normaliseRow needs for a file with this header, fixed for the whole file. Throws
 * UsageError as resolveColumns and compileUsernameTemplate do (no email or username column, a bad mapping or template).
 */
export function createNormaliseContext(
  header: string[],
  setup: NormaliseSetup,
): { layout: ColumnLayout; context: NormaliseContext } {
  const layout = resolveColumns(header, setup.mapping);
  const context: NormaliseContext = {
    layout,
    usernameTemplate: compileUsernameTemplate(setup.usernameTemplate, layout, setup.retailerId),
    defaultCountry: setup.defaultCountry,
    phoneExtension: setup.phoneExtension,
    allowFormulaValues: setup.allowFormulaValues,
    valueMaps: setup.mapping?.values,
  };
  return { layout, context };
}
