/**
 * The report's types (SPEC §4): what report.json says about a run, and everything the writers make the files from.
 * Here, apart from the writers, so the stages that produce them import no writer.
 */
import type {
  ConflictKind,
  DiffLine,
  MissingCustomer,
  NormalisationRule,
  RejectedValueCount,
  RequestStats,
  ReviewLine,
  RowOutcome,
  RunMode,
  RunTotals,
  UniquenessScope,
} from '../types.js';

/** What report.json says about a run (SPEC §4), plus a few extras for the HTML page. */
export interface ReportSummary {
  runId: string;
  mode: RunMode;
  startedAt: string;
  finishedAt: string;
  /** What was read: the path (`-` for standard input), its kind, and the digest of its bytes as given. */
  input: { path: string; format?: string; sheet?: string; sha256: string; bytes: number; complete?: boolean };
  /** Resolved options, without secrets (the caller guarantees it). */
  options: Record<string, unknown>;
  totals: RunTotals;
  requests: RequestStats;
  durationMs: number;
  status: 'completed' | 'aborted';
  abortReason?: string;
  /** The run an undo put back. */
  undoOf?: string;
  /** An undo's customers not wholly put back (created, changed since, refused): the rows that make it end 1. */
  incomplete?: number;
  /** Across which customers usernames were checked for account-wide uniqueness (sync and dry runs). */
  uniqueness?: UniquenessScope;
  unmappedColumns: string[];
  delimiter: string;
  /**
   * With --report-missing: how many of the retailer's OMS customers the file does not hold (outside the read sum), and
   * whether Fluent's pages could be followed to their end (`complete: false` and why, when not).
   */
  missing?: { count: number; complete: boolean; reason?: string };
  /** How many cells each normalisation rule changed on the way in (sync, dry run, validate; not undo). */
  normalised?: Partial<Record<NormalisationRule, number>>;
  /**
   * A run with `--shard K/N`: which shard it was, and the rule (SHARD_RULE) by which it took its rows, so a merge can
   * work out which shard owns each row from the row itself.
   */
  shard?: { index: number; count: number; rule: string };
  /** The conflicts by kind, every kind listed (sync, dry run, undo): how the summary and the page word them. */
  conflicts?: Record<ConflictKind, number>;
  /**
   * Rows holding a value Fluent did not take as sent (this run, or an earlier one whose values were not sent again),
   * by field, attributes as `attributes.NAME`, most first (sync, dry run, undo).
   */
  notTakenAsSent?: Record<string, number>;
  /** A report merged from the reports of a file's shards (`report --merge`): which runs it is made of. */
  mergedFrom?: { shard: string; runId: string; status: ReportSummary['status']; reportDir: string }[];
}

/** A rejected, conflicting or failed row as it was read, for rejects.csv. */
export interface RejectLine {
  row: number;
  cells: readonly string[];
  reason: string;
}

/** The OMS client at a moment of the run: GraphQL requests sent so far, and the rate it allowed itself then. */
export interface RequestSample {
  requests: number;
  /** Requests/s: `--rate`, or less while the OMS refuses for the rate (`--rate auto`: what it has found). */
  allowedRate: number;
}

/** Rows finished so far at a moment of the run, for the throughput chart; with the requests once there is a client. */
export interface ThroughputPoint extends Partial<RequestSample> {
  elapsedMs: number;
  done: number;
}

/**
 * Everything a report is made of. Row-level parts are functions returning (sync) iterables, so a caller can
 * stream them from the checkpoint and 2 million rows never sit in memory at once.
 */
export interface ReportContent {
  summary: ReportSummary;
  /** The input file's header, the first columns of rejects.csv. */
  header: readonly string[];
  /** Input column indexes holding phones: their E.164 values are not neutralised in rejects.csv. */
  phoneColumns: ReadonlySet<number>;
  /** Every row's outcome, in row order. */
  outcomes: () => Iterable<RowOutcome>;
  /** Rejected, conflict and failed rows with their original cells, in row order. */
  rejects: () => Iterable<RejectLine>;
  /** Field-level changes (apply and dry-run only), a customer's lines one after another. */
  diffs: () => Iterable<DiffLine>;
  /** The values written (or that would be) that a person should look at, for review.csv; none: no review.csv. */
  review?: (() => Iterable<ReviewLine>) | undefined;
  /** The values that rejected most rows, most first, for the page (a short list). */
  rejectedValues?: (() => readonly RejectedValueCount[]) | undefined;
  /** With --report-missing: the retailer's OMS customers the file does not hold, for missing.csv. */
  missing?: (() => Iterable<MissingCustomer>) | undefined;
  throughput: readonly ThroughputPoint[];
}
