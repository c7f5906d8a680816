/**
 * The run skeleton's shapes: what a run is given (RunDependencies), what it returns (RunResult), and what a job tells
 * the skeleton (Job): how it reads its rows, whether and how it talks to the OMS, what its report holds.
 */
import type { OmsConnection } from '../apply/connectOms.js';
import type { MissingListing } from '../apply/findMissingCustomers.js';
import type { Checkpoint } from '../checkpoint/openCheckpoint.js';
import type { MissingList, RunJournal, RunStart } from '../checkpoint/runJournal.js';
import type { CheckpointScope } from '../checkpoint/syncState.js';
import type { Credentials } from '../fluent/credentials.js';
import type { Logger } from '../log.js';
import type { RunEnd } from '../ops/opsTypes.js';
import type { ResolvedOptions } from '../options/index.js';
import type { ReportContent, ReportSummary, ThroughputPoint } from '../report/reportTypes.js';
import type { SeedCustomer } from '../sandbox/sandboxTypes.js';
import type { Scrubber } from '../shared/createScrubber.js';
import type { RunMode, UniquenessScope, WriteMode } from '../types.js';
import type { Progress } from './createProgress.js';

export interface RunDependencies {
  log: Logger;
  /** Where the end-of-run summary goes (stdout). */
  out: NodeJS.WritableStream;
  /** Where the progress line goes (stderr); a TTY gets a live line, anything else periodic log lines. */
  progressStream: NodeJS.WritableStream & { isTTY?: boolean };
  credentials: Credentials | undefined;
  accountId: string | undefined;
  /** FLUENT_REDACT_KEY: keys --redact's masks so they stay the same across runs; otherwise a random key per run. */
  redactKey?: string | undefined;
  /** Masks credentials and granted tokens in every output; the client adds tokens as they are granted. */
  scrubber: Scrubber;
  /** Aborted by SIGINT/SIGTERM: in-flight requests finish, the partial report is written, exit 3. */
  signal: AbortSignal;
  /** The exit code the command line gives an error that ends the run, for the end-of-run hooks (cli/main.ts decides). */
  exitCodeOf: (error: unknown) => number;
  now?: () => Date;
}

export interface RunResult {
  exitCode: 0 | 1;
  /** Where the report was written; null for a job that writes one only when asked and was not (ensureCustomers). */
  reportDir: string | null;
  summary: ReportSummary;
}

/** What the skeleton hands a job's steps: the run, its store and its progress. */
export interface RunContext {
  runId: string;
  options: ResolvedOptions;
  deps: RunDependencies;
  log: Logger;
  now: () => Date;
  journal: RunJournal;
  /** The checkpoint, locked for the run; undefined for a scratch journal (validate). */
  checkpoint: Checkpoint | undefined;
  progress: Progress;
}

/** How a job's run is recorded in the journal: everything of RunStart but what the skeleton knows. */
export interface JobStart {
  record: Omit<RunStart, 'runId' | 'mode'>;
  /** The API host and retailer the run's sync state entries belong to (for the preflight too). */
  scope: CheckpointScope;
}

/** What the OMS part of a job needs and does, once the preflight has passed. */
export interface JobApply {
  /** The in-process sandbox's customers (`--sandbox --sandbox-seed`). */
  seed?: SeedCustomer[] | undefined;
  preflight: {
    dryRun: boolean;
    allowScopedLogin: boolean;
    writeMode?: WriteMode;
  };
  /** The progress line's name for it. */
  phase: string;
  /**
   * Carries out the job against the OMS, for the run's `scope`; `settledRows` were settled before it (the error-rate
   * base).
   */
  run(
    run: RunContext,
    oms: OmsConnection,
    at: { scope: CheckpointScope; settledRows: number },
  ): Promise<{
    abortReason?: string;
    throughput?: ThroughputPoint[];
    missing?: MissingList;
    /** Whether the listing of --report-missing reached the end of Fluent's pages. */
    missingListing?: MissingListing;
  }>;
}

/** What the skeleton learnt by the end of the run, for the job's summary and report. */
export interface RunOutcome {
  read: number;
  abortReason: string | undefined;
  uniqueness: UniquenessScope | undefined;
  missing: MissingList | undefined;
}

/**
 * One job on the run skeleton (run/runJob): sync, dry run, validate, undo. Each step is the job's own; the skeleton
 * does everything they share, in one order, for all of them.
 */
export interface Job<Input> {
  /** report.json's mode. */
  mode: RunMode;
  /** How the ops hooks (metrics, Pushgateway, webhook) name the run's mode. */
  hookMode: RunEnd['mode'];
  /** Where the run keeps its rows: a scratch journal that leaves nothing behind, or the checkpoint. */
  store: 'scratch' | 'checkpoint';
  /** The checkpoint must exist already (undo): a missing one is refused before anything is created. */
  storeMustExist?: boolean;
  /** How the stopped-run reason names the job (`the run stopped`, `the undo stopped`). */
  stoppedAs: 'run' | 'undo';
  /** What the abort message says of resuming. */
  resumeHint: string;
  /**
   * `always` (the default): into --report-dir, else reports/<run-id>/. `when-asked`: only into a --report-dir given
   * (ensureCustomers, whose results are its report); without one no folder is made and the run ends with its summary.
   */
  writesReport?: 'always' | 'when-asked';
  /**
   * Checks and opens what the run reads before anything is made on disk: a UsageError here leaves nothing behind.
   */
  open(run: { runId: string; signal: AbortSignal; log: Logger }): Promise<Input>;
  /** How the run is recorded; may refuse (undo: the run to undo must exist in the checkpoint). */
  start(run: RunContext, input: Input): JobStart;
  /** Stages every row into the journal, settling what needs no request; returns how many rows were read. */
  stage(run: RunContext, input: Input, scope: CheckpointScope): Promise<{ read: number }>;
  /**
   * The OMS part, or undefined when the run needs none (validate; an undo with nothing to put back). `read` is
   * undefined when a job that connectsWhileReading is asked before its rows are read.
   */
  apply(read: number | undefined): JobApply | undefined;
  /**
   * The OMS part does not depend on the rows read (sync, dry run): the connection and the preflight then run beside the
   * reading, so a run takes the longer of the two rather than both.
   */
  connectsWhileReading?: boolean;
  /** The summary's job-specific parts, and anything the job adds to report.json. */
  summarise(
    input: Input,
    outcome: RunOutcome,
  ): {
    input: ReportSummary['input'];
    unmappedColumns: string[];
    delimiter: string;
    uniqueness?: UniquenessScope | undefined;
    normalised?: ReportSummary['normalised'];
    extra?: Partial<ReportSummary>;
  };
  /** Once every row has its final outcome and the run is recorded as ended: what the job reads back of it. */
  finish?(run: RunContext): void;
  /** The report's job-specific parts (the outcomes, rejects, diffs and chart are the skeleton's). */
  report(
    run: RunContext,
    input: Input,
    outcome: RunOutcome,
  ): Pick<ReportContent, 'header' | 'phoneColumns' | 'review' | 'rejectedValues' | 'missing'>;
}
