import { compileUsernameTemplate } from '../normalise/compileUsernameTemplate.js';
import { type ColumnMapping, loadMapping } from '../normalise/loadMapping.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import type { ColumnLayout } from '../normalise/resolveColumns.js';
import { resolveColumns } from '../normalise/resolveColumns.js';
import type { ResolvedOptions } from '../options/index.js';
import { type InputSource, readRows } from './readRows.js';

export interface Input {
  source: InputSource;
  layout: ColumnLayout;
  /** Everything normaliseRow needs, fixed for the whole file. */
  context: NormaliseContext;
}

/**
 * Opens the input (a CSV, a .csv.gz, an .xlsx or standard input) and prepares its reading: the header, the column
 * mapping and the username template. Every problem of the file as a whole (missing, not a regular file, empty,
 * binary, corrupt, an unknown sheet, no email or username column, a bad mapping or template) surfaces here as a
 * UsageError, before the run takes the checkpoint or sends anything. `signal` (SIGINT/SIGTERM) stops the reading
 * wherever it waits: before the header it is an AbortError, after it the rows end.
 */
export async function openInput(
  options: Pick<
    ResolvedOptions,
    | 'file'
    | 'encoding'
    | 'sheet'
    | 'mapping'
    | 'usernameTemplate'
    | 'retailerId'
    | 'defaultCountry'
    | 'phoneExtension'
    | 'allowFormulaValues'
  >,
  signal?: AbortSignal,
): Promise<Input> {
  const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
  const source = await readRows(options.file, { encoding: options.encoding, sheet: options.sheet, signal });
  return prepareInput(source, mapping, options);
}

/**
 * How a source's rows are read, whatever they come from (a file, the package API's records): the column layout from
 * its header and the mapping, and the username template compiled against it. UsageError as for openInput.
 */
export function prepareInput(
  source: InputSource,
  mapping: ColumnMapping | undefined,
  options: Pick<
    ResolvedOptions,
    'usernameTemplate' | 'retailerId' | 'defaultCountry' | 'phoneExtension' | 'allowFormulaValues'
  >,
): Input {
  const layout = resolveColumns(source.header, mapping);
  const context: NormaliseContext = {
    layout,
    usernameTemplate: compileUsernameTemplate(options.usernameTemplate, layout, options.retailerId),
    defaultCountry: options.defaultCountry,
    phoneExtension: options.phoneExtension,
    allowFormulaValues: options.allowFormulaValues,
    valueMaps: mapping?.values,
  };
  return { source, layout, context };
}
