/**
 * The run journal's shapes: the rows a run stages, the outcomes it records, what it keeps beside them, and the
 * journal's interface. Apart from the statements, so that its rooms (staging, reading back, the missing list) share them.
 */
import type {
  ChangedField,
  ConflictKind,
  Customer,
  DiffLine,
  FieldChange,
  MissingCustomer,
  Normalisation,
  OffendingValue,
  OutcomeKind,
  RawRow,
  RejectedValueCount,
  RowOutcome,
  RunMode,
} from '../types.js';

/**
 * A staged row: what the read and normalise stages made of one input record. What the journal keeps as JSON may come
 * encoded already (`cellsJson`, `customerJson`, `reviewJson`, `offendingJson`), by a thread that prepared the row.
 */
export interface StagedRow {
  row: number;
  line: number;
  cells: readonly string[];
  cellsJson?: string | undefined;
  /** The normalised customer of a row left open: the apply stage plans from it. Not kept for a settled row. */
  customer?: Customer | undefined;
  customerJson?: string | undefined;
  /** The username of a row without a customer (rejected), where one could be formed. */
  username?: string;
  /** Present when the row passed validation (and is of this run's shard): in-file duplicates are found among these. */
  hash?: string;
  /**
   * A final outcome decided while staging: rejected, skipped, or for a row that passed, whatever needs no request
   * (valid in validate; unchanged or conflict from the checkpoint alone). A duplicate rule may still override the last.
   */
  outcome?: { kind: OutcomeKind; reason: string; customerId?: string | null; conflict?: ConflictKind };
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension). */
  notes?: readonly string[];
  /** What normalising changed that a person should look at (review.csv); absent or empty when nothing. */
  review?: readonly Normalisation[] | undefined;
  reviewJson?: string | undefined;
  /** The values that rejected the row, for grouping rejects by them; absent or empty when none. */
  offending?: readonly OffendingValue[] | undefined;
  offendingJson?: string | undefined;
}

/** A row that passed validation and still waits for its outcome. */
export interface OpenRow {
  row: number;
  username: string;
  usernameKey: string;
  hash: string;
  customer: Customer;
  /** Normalisation notes, joined; part of whatever reason the row ends with. */
  notes: string;
}

/** A final outcome for one row of the run. */
export interface OutcomeUpdate {
  row: number;
  outcome: OutcomeKind;
  reason: string;
  changedFields?: readonly string[];
  /** The OMS id of the row's customer, where the outcome knows it (created, updated, unchanged). */
  customerId?: string | null;
  /** A conflict's kind. */
  conflict?: ConflictKind;
  /** The fields Fluent did not take as sent. */
  notTaken?: readonly ChangedField[];
}

/** What report.json counts of a run's rows beyond their outcomes. */
export interface OutcomeDetails {
  /** Conflicts by kind (every kind listed); a conflict recorded before kinds were kept counts in none. */
  conflicts: Record<ConflictKind, number>;
  /** Rows with a value Fluent did not take as sent, by field (attributes as `attributes.NAME`), most first. */
  notTakenAsSent: Record<string, number>;
}

export interface RunStart {
  runId: string;
  mode: RunMode;
  apiHost: string | null;
  retailerId: string | null;
  inputPath: string;
  context: InputContext;
}

/**
 * What a run records about its input beside its rows: enough to write its report again (`report --run`), to show the
 * cell a change came from, and to find its rows by email or key (`explain`).
 */
export interface InputContext {
  /** The input's header: the first columns of rejects.csv. */
  header?: string[];
  /** Input columns holding phones (E.164 values there are not neutralised). */
  phoneColumns?: number[];
  unmappedColumns?: string[];
  delimiter?: string;
  /** Per field, an attribute as `attributes.NAME`: the input column it is read from (diff.csv's `input`). */
  fieldColumns?: Partial<Record<ChangedField, number>>;
  /** The raw columns the username template is made of (`{column:HEADER}`): keys that identify a row. */
  keyColumns?: number[];
  /** How the run made usernames: `--username-template`, or a username column. */
  usernames?: { template: string } | { column: string };
  /** The run an undo put back. */
  undoOf?: string;
}

/** A row of the run with review notes: what review.csv lists of it depends on how it ended. */
export interface ReviewRow {
  row: number;
  username: string;
  outcome: OutcomeKind | null;
  changedFields: readonly string[];
  notes: Normalisation[];
}

/**
 * The OMS customers a run's file does not hold (`--report-missing`), gathered a page of the account at a time. Kept in
 * temporary tables of the connection: never in the checkpoint file, and gone when it closes.
 */
export interface MissingList {
  /** Keeps those of `customers` whose username (case-folded) no row of the run has; returns how many it kept. */
  add(customers: readonly MissingCustomer[]): number;
  count(): number;
  /** The customers kept, in the order they were added. */
  customers(): Iterable<MissingCustomer>;
}

/**
 * The run journal: each run's log — its staged rows and their outcomes, in-file duplicates, field diffs — kept for the
 * report and pruned to the newest `--keep-runs` runs. Nothing here says what the OMS holds; that is the sync state.
 */
export interface RunJournal {
  startRun(run: RunStart): void;
  finishRun(runId: string, status: 'completed' | 'aborted', summary: unknown): void;
  /** Forgets a run that never got going (bad input found while reading): its rows and its record. */
  discardRun(runId: string): void;
  /** A stager that writes rows in batched transactions; call `flush()` at the end. */
  createStager(runId: string): { add(row: StagedRow): void; flush(): void };
  /**
   * Usernames (case-folded) that more than one row of the run shares among the rows that passed validation and no
   * duplicate rule has settled yet, with those rows in file order. Read once, right after staging.
   */
  duplicateGroups(runId: string): Iterable<{ key: string; rows: { row: number; hash: string }[] }>;
  /** Open rows after `afterRow`, in file order, at most `limit`. */
  openRows(runId: string, afterRow: number, limit: number): OpenRow[];
  countOpenRows(runId: string): number;
  /** Records final outcomes in one transaction (durable before the caller counts them). */
  setOutcomes(runId: string, outcomes: readonly OutcomeUpdate[]): void;
  /** Gives every row still open one outcome (`skipped` for an aborted run's untouched rows), its text before any notes. */
  closeOpenRows(runId: string, reason: string, outcome: OutcomeKind): number;
  /**
   * Records a row's field changes; with `row`, each line also keeps the cell of the field's column as the file had it
   * (the run's `fieldColumns`), for diff.csv's `input`.
   */
  addDiffs(runId: string, changes: readonly FieldChange[], row?: number): void;
  /**
   * Records a row of an earlier run that was killed (or stopped) before it recorded its mutation's answer, as it would
   * have ended: its outcome and diff lines. Only a row of that username still open, or skipped by the stop, is
   * recorded; returns whether it was.
   */
  creditRow(runId: string, usernameKey: string, outcome: OutcomeUpdate, changes: readonly FieldChange[]): boolean;
  /** Rows of the run that ended `created`, in file order, at most `limit` after `afterRow`. */
  createdRows(runId: string, afterRow: number, limit: number): { row: number; username: string; reason: string }[];
  outcomeCounts(runId: string): Map<OutcomeKind, number>;
  /** Conflicts by kind and values not taken as sent by field (report.json `conflicts`, `notTakenAsSent`). */
  outcomeDetails(runId: string): OutcomeDetails;
  outcomes(runId: string): Iterable<RowOutcome>;
  rejects(runId: string): Iterable<{ row: number; cells: string[]; reason: string }>;
  diffs(runId: string): Iterable<DiffLine>;
  /** Rows of the run with review notes, in row order. */
  reviewRows(runId: string): Iterable<ReviewRow>;
  /** The values that rejected most rows, most rows first (ties: the value met first), at most `limit`. */
  rejectedValues(runId: string, limit: number): RejectedValueCount[];
  /** Some rows' input records (their cells as read), in row order. */
  rawRows(runId: string, rows: readonly number[]): RawRow[];
  /** Deletes the rows, diffs and records of all but the newest `keep` runs. */
  pruneRuns(keep: number): void;
  /** Starts an empty list of the OMS customers the run's file does not hold (one list per connection at a time). */
  createMissingList(runId: string): MissingList;
}
