import { compileUsernameTemplate } from '../normalise/compileUsernameTemplate.js';
import { loadMapping } from '../normalise/loadMapping.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import type { ColumnLayout } from '../normalise/resolveColumns.js';
import { resolveColumns } from '../normalise/resolveColumns.js';
import type { ResolvedOptions } from '../options.js';
import { type CsvSource, readRows } from './readRows.js';

export interface Input {
  source: CsvSource;
  layout: ColumnLayout;
  /** Everything normaliseRow needs, fixed for the whole file. */
  context: NormaliseContext;
}

/**
 * Opens the CSV and prepares its reading: the header, the column mapping and the username template. Every problem
 * of the file as a whole (missing, empty, binary, no email or username column, a bad mapping or template) surfaces
 * here as a UsageError, before the run takes the checkpoint or sends anything.
 */
export async function openInput(
  options: Pick<
    ResolvedOptions,
    'file' | 'encoding' | 'mapping' | 'usernameTemplate' | 'retailerId' | 'defaultCountry'
  >,
): Promise<Input> {
  const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
  const source = await readRows(options.file, { encoding: options.encoding });
  const layout = resolveColumns(source.header, mapping);
  const context: NormaliseContext = {
    layout,
    usernameTemplate: compileUsernameTemplate(options.usernameTemplate, layout, options.retailerId),
    defaultCountry: options.defaultCountry,
  };
  return { source, layout, context };
}
