import type { KnownCustomer, PendingMutation } from '../checkpoint/syncState.js';
import type {
  ChangedField,
  ConflictKind,
  Customer,
  FieldChange,
  MutationAction,
  OutcomeKind,
  WriteMode,
} from '../types.js';

/** Everything a row's outcome is decided from, apart from what the OMS says (SPEC §3). */
export interface RowFacts {
  customer: Customer;
  /** Hash of the row's normalised content, compared with what the checkpoint last applied. */
  hash: string;
  /** What normalising changed that the row's reason must say (e.g. a dropped phone extension); '' when nothing. */
  notes: string;
  retailerId: string;
  runId: string;
  mode: 'apply' | 'dry-run';
  /** `--mode`: upsert (the default), create-only (existing customers are left as they are) or update-only. */
  writeMode?: WriteMode;
  /** `--full-compare`: the checkpoint's hashes are not trusted, every row is compared with the OMS. */
  fullCompare: boolean;
  /** The checkpoint's entries for this username on this API host, every retailer, any case. */
  known: readonly KnownCustomer[];
  /** This retailer's pending mark for the username: a mutation a run was about to send, maybe applied. */
  pending: PendingMutation | undefined;
}

/** What the sync state must record along with the row's outcome. */
export type StateRecord =
  /** The OMS holds the row's content (applied by `appliedBy`, or found identical): remember its hash. */
  | { kind: 'applied'; appliedBy: string; omsId: string | null }
  /** Nothing is known to be applied: clear any pending mark. */
  | { kind: 'unapplied' }
  /**
   * The OMS no longer holds what the sync state says was applied (an undo put it back, or found it changed): forget
   * the hash, so the next sync compares the customer again, and clear any pending mark.
   */
  | { kind: 'doubted' }
  /**
   * Fluent holds other values than the row's (it did not take every value as sent): `heldHash` (verifyWrite's
   * heldHash) is recorded as what the OMS holds, and the row's own hash as sent and not taken, so the next run neither
   * calls the row unchanged nor sends it again while the file and the OMS stay as they are.
   */
  | { kind: 'notTaken'; omsId: string | null; heldHash: string }
  /** Only the outcome (a dry run records nothing else; nor does a row settled from the checkpoint alone). */
  | { kind: 'none' };

/**
 * A killed run's mutation that the OMS shows applied although that run never recorded it: the row is entered in that
 * run's journal as it would have been (`created` or `updated`, with its changes), so `undo` of that run finds it.
 */
export interface Credit {
  runId: string;
  /** The row of the killed run the mutation was sent for. */
  row: number;
  outcome: 'created' | 'updated';
  changes: readonly FieldChange[];
  customerId: string | null;
}

/** The row is done: its outcome, reason, the diff lines to report, and what the checkpoint records. */
export interface Settle {
  kind: 'settle';
  outcome: OutcomeKind;
  reason: string;
  changes: readonly FieldChange[];
  record: StateRecord;
  /** The OMS id of the row's customer where the decision knows it (created, updated, unchanged): outcomes.csv's. */
  customerId: string | null;
  /** A killed run applied this row's mutation without recording it: recorded for that run with the outcome. */
  credit?: Credit;
  /** undo: not everything the undone run did to the customer could be put back (the undo ends 1). */
  incomplete?: boolean;
  /** A `conflict`'s kind (report.json `conflicts`). */
  conflict?: ConflictKind;
  /** The fields (attributes as `attributes.NAME`) Fluent did not take as sent (report.json `notTakenAsSent`). */
  notTaken?: readonly ChangedField[];
}

/** The row needs a create or update sent; `why` is what the reason says about how it came to be sent. */
export interface Send {
  kind: 'send';
  action: MutationAction;
  why: string;
  /** Carried to whatever the send settles as (see Settle.credit). */
  credit?: Credit;
  /** undo: the fields changed since the undone run, which this send leaves alone. */
  leftAlone?: readonly string[];
}

export type Decision = Settle | { kind: 'lookup' } | Send;
