import { type ColumnMapping, loadMapping } from '../normalise/loadMapping.js';
import type { NormaliseContext } from '../normalise/normaliseRow.js';
import type { ColumnLayout } from '../normalise/resolveColumns.js';
import type { ResolvedOptions } from '../options/index.js';
import { createNormaliseContext, type NormaliseSetup } from './createNormaliseContext.js';
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
 *
 * With `prepare`, a CSV parsed in a worker thread has the worker prepare rows for staging as well (source.batches):
 * it builds the same context from the same setup.
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
    | 'shard'
  >,
  signal?: AbortSignal,
  prepare?: { keepCustomers: boolean },
): Promise<Input> {
  const setup: NormaliseSetup = {
    mapping: options.mapping === undefined ? undefined : loadMapping(options.mapping),
    usernameTemplate: options.usernameTemplate,
    retailerId: options.retailerId,
    defaultCountry: options.defaultCountry,
    phoneExtension: options.phoneExtension,
    allowFormulaValues: options.allowFormulaValues,
  };
  const source = await readRows(options.file, {
    encoding: options.encoding,
    sheet: options.sheet,
    signal,
    prepare: prepare && { normalise: setup, shard: options.shard, keepCustomers: prepare.keepCustomers },
  });
  const { layout, context } = createNormaliseContext(source.header, setup);
  return { source, layout, context };
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
  const { layout, context } = createNormaliseContext(source.header, {
    mapping,
    usernameTemplate: options.usernameTemplate,
    retailerId: options.retailerId,
    defaultCountry: options.defaultCountry,
    phoneExtension: options.phoneExtension,
    allowFormulaValues: options.allowFormulaValues,
  });
  return { source, layout, context };
}
