import type { OutcomeKind, RunMode } from '../types.js';

export interface OutcomeWords {
  /** Follows the count: `3` + `customers would be created`. */
  phrase: string;
  /** One short sentence on what it means or what to do. */
  hint: string;
  /** A one- or two-word name for chart axes and table cells: `Created`, `To create`. */
  label: string;
}

type Forms = readonly [singular: string, plural: string];

interface Wording {
  label: string;
  dryRunLabel?: string;
  apply: Forms;
  dryRun?: Forms;
  hint: string;
  dryRunHint?: string;
}

/** Plain words for people who never open a terminal; a dry run speaks of what *would* happen (SPEC §4). */
const WORDING: Readonly<Record<OutcomeKind, Wording>> = {
  created: {
    label: 'Created',
    dryRunLabel: 'To create',
    apply: ['customer was created', 'customers were created'],
    dryRun: ['customer would be created', 'customers would be created'],
    hint: 'New customers added to the OMS.',
    dryRunHint: 'Not in the OMS yet.',
  },
  updated: {
    label: 'Updated',
    dryRunLabel: 'To update',
    apply: ['customer was updated', 'customers were updated'],
    dryRun: ['customer would be updated', 'customers would be updated'],
    hint: 'Only the fields that differed were sent.',
    dryRunHint: 'Some fields differ from the OMS; see the changes.',
  },
  unchanged: {
    label: 'Unchanged',
    apply: ['customer was already up to date', 'customers were already up to date'],
    dryRun: ['customer is already up to date', 'customers are already up to date'],
    hint: 'Nothing to do.',
  },
  duplicate: {
    label: 'Duplicate',
    apply: ['row repeated another row', 'rows repeated other rows'],
    hint: 'Same customer as another row of the file.',
  },
  rejected: {
    label: 'Rejected',
    apply: ['row was rejected', 'rows were rejected'],
    hint: 'The data needs fixing: see rejects.csv.',
  },
  conflict: {
    label: 'Conflict',
    apply: ['row has a username taken by another retailer', 'rows have a username taken by another retailer'],
    hint: 'Usernames must be unique across the account; nothing was sent.',
  },
  failed: {
    label: 'Failed',
    apply: ['row could not be saved', 'rows could not be saved'],
    dryRun: ['row could not be checked', 'rows could not be checked'],
    hint: 'The OMS returned an error; the next run tries again.',
  },
  skipped: {
    label: 'Skipped',
    apply: ['row was skipped', 'rows were skipped'],
    hint: 'Not handled by this run, e.g. another shard’s rows.',
  },
  valid: {
    label: 'Valid',
    apply: ['row passed every check', 'rows passed every check'],
    hint: 'Ready to be synced.',
  },
};

/** The words that follow a count of `kind` in `mode`, singular or plural as `count` asks. */
export function describeOutcome(kind: OutcomeKind, mode: RunMode, count: number): OutcomeWords {
  const wording = WORDING[kind];
  const dryRun = mode === 'dry-run';
  const forms = (dryRun ? wording.dryRun : undefined) ?? wording.apply;
  return {
    phrase: count === 1 ? forms[0] : forms[1],
    hint: (dryRun ? wording.dryRunHint : undefined) ?? wording.hint,
    label: (dryRun ? wording.dryRunLabel : undefined) ?? wording.label,
  };
}
