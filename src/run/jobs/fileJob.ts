import { describeRunColumns } from '../../check/describeRunColumns.js';
import { resolveDuplicates } from '../../check/resolveDuplicates.js';
import { type NormalisedCounts, stageRows } from '../../check/stageRows.js';
import { UsageError } from '../../errors.js';
import type { Logger } from '../../log.js';
import { normaliseRow } from '../../normalise/normaliseRow.js';
import type { ResolvedOptions } from '../../options/index.js';
import type { SettleRows } from '../../plan/decideStaging.js';
import { limitBatches, limitRows } from '../../read/limitRows.js';
import { type Input, openInput } from '../../read/openInput.js';
import { listReviewLines } from '../../report/listReviewLines.js';
import type { Job, JobStart, RunContext } from '../runTypes.js';

/** The values that rejected most rows, as many as the page lists. */
const REJECTED_VALUES_SHOWN = 20;

/** A file job's input once opened, and how many cells each normalisation rule changed while staging. */
export interface FileInput extends Input {
  normalised?: NormalisedCounts;
}

/**
 * What sync, dry run and validate share: the input file read, normalised, checked and staged (read → normalise →
 * check), its report's columns. The job adds where the rows are settled from (`settle`) and the OMS part.
 */
export function fileJob(
  options: ResolvedOptions,
  parts: Pick<Job<FileInput>, 'mode' | 'hookMode' | 'store' | 'apply'> & {
    /** Checks made before the file is opened (sync: credentials, the sandbox's seed). */
    check?: (log: Logger) => void;
    /** Where the rows come from: the file (openInput) unless the job has them already (ensureCustomers' records). */
    openRows?: (signal: AbortSignal) => Promise<Input>;
    apiHost: (runId: string) => string | null;
    settle: (run: RunContext, scope: JobStart['scope']) => SettleRows;
    /** Whether `settle` may leave a row open for the apply stage, which then plans from its customer (sync). */
    leavesRowsOpen: boolean;
  },
): Job<FileInput> {
  return {
    mode: parts.mode,
    hookMode: parts.hookMode,
    store: parts.store,
    stoppedAs: 'run',
    resumeHint: 'the next run resumes',
    apply: parts.apply,
    // Nothing of a file job's OMS part depends on its rows.
    connectsWhileReading: true,
    async open({ signal, log }) {
      parts.check?.(log);
      // A CSV parsed in a worker has it prepare rows too, as it has time to: both cores work.
      const openFile = (stop: AbortSignal) => openInput(options, stop, { keepCustomers: parts.leavesRowsOpen });
      const input = await (parts.openRows ?? openFile)(signal);
      describeLayout(input, options.file, log);
      return input;
    },
    start({ runId }, { source, layout, context }) {
      const apiHost = parts.apiHost(runId);
      const phoneColumn = layout.columnOfField.primaryPhone;
      return {
        scope: { apiHost: apiHost ?? '', retailerId: options.retailerId ?? '' },
        record: {
          apiHost,
          retailerId: options.retailerId ?? null,
          inputPath: options.file,
          context: {
            header: source.header,
            phoneColumns: phoneColumn === undefined ? [] : [phoneColumn],
            unmappedColumns: layout.unmapped,
            delimiter: source.delimiter,
            ...describeRunColumns(context, options.usernameTemplate),
          },
        },
      };
    },
    async stage(run, input, scope) {
      const { journal, runId, progress, deps } = run;
      const { limit } = options;
      const { batches } = input.source;
      const { read, normalised } = await stageRows({
        // --limit: a sample run reads the first N data rows and stops reading there.
        rows: limit === undefined ? input.source.rows : limitRows(input.source.rows, limit),
        batches: batches && (limit === undefined ? batches : limitBatches(batches, limit)),
        context: input.context,
        shard: options.shard,
        journal,
        runId,
        settle: parts.settle(run, scope),
        signal: deps.signal,
        onRow: progress.tick,
      });
      input.normalised = normalised;
      if (read === 0 && !options.allowEmpty && !deps.signal.aborted) {
        throw new UsageError(`${options.file} has a header and no rows; pass --allow-empty if that is expected`);
      }
      // check: in-file duplicates.
      resolveDuplicates(journal, runId, options.onDuplicate, (raw) => {
        const result = normaliseRow(raw, input.context);
        return result.ok ? result.customer : undefined;
      });
      return { read };
    },
    summarise({ source, layout, normalised }, { uniqueness }) {
      return {
        input: {
          path: options.file,
          format: source.format,
          ...(source.sheet ? { sheet: source.sheet } : {}),
          ...source.digest(),
        },
        uniqueness,
        unmappedColumns: layout.unmapped,
        delimiter: source.delimiter,
        normalised,
      };
    },
    report({ journal, runId }, { source, layout }, { missing }) {
      const phoneColumn = layout.columnOfField.primaryPhone;
      return {
        header: source.header,
        phoneColumns: new Set(phoneColumn === undefined ? [] : [phoneColumn]),
        review: () => listReviewLines(journal.reviewRows(runId)),
        rejectedValues: () => journal.rejectedValues(runId, REJECTED_VALUES_SHOWN),
        missing: missing && (() => missing.customers()),
      };
    },
  };
}

/** What the run makes of the file's layout, said once before it is staged. */
function describeLayout({ source, layout }: Input, file: string, log: Logger): void {
  if (source.delimiter !== ',') log.info(`reading ${file} as ${describeDelimiter(source.delimiter)}-delimited`);
  for (const { header, field } of layout.guessed) log.info(`reading column "${header}" as ${field}`);
  if (layout.unmapped.length > 0) log.info(`ignoring unmapped columns: ${layout.unmapped.join(', ')}`);
}

function describeDelimiter(delimiter: string): string {
  return delimiter === '\t' ? 'tab' : `"${delimiter}"`;
}
