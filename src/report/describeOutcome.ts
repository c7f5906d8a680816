import { CONFLICT_KINDS, type ConflictKind, type OutcomeKind, type RunMode } from '../types.js';
import { formatCount } from './formatCount.js';

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
    apply: [
      'row has a username in conflict with another customer',
      'rows have a username in conflict with another customer',
    ],
    hint: 'Usernames must be unique across the account, in any case; see each row’s reason.',
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

/** How each kind of conflict is worded when all of a run's conflicts are of that kind, and within a mix. */
const CONFLICT_WORDING: Readonly<Record<ConflictKind, { apply: Forms; hint: string; part: string }>> = {
  otherRetailer: {
    apply: ['row has a username taken by another retailer', 'rows have a username taken by another retailer'],
    hint: 'Usernames must be unique across the account; nothing was sent.',
    part: 'taken by another retailer',
  },
  caseVariant: {
    apply: [
      'row has a username this retailer holds in another case',
      'rows have a username this retailer holds in another case',
    ],
    hint: 'Usernames are compared without regard to case: use the spelling the OMS holds; nothing was sent.',
    part: 'held in another case',
  },
  concurrent: {
    apply: [
      'row has a username another writer created at the same time',
      'rows have a username another writer created at the same time',
    ],
    hint: 'Created by this run and by another writer at once: the OMS holds both; see each row’s reason.',
    part: 'created at the same time elsewhere',
  },
  unseen: {
    apply: [
      'row has a username Fluent says exists where this login cannot see it',
      'rows have a username Fluent says exists where this login cannot see it',
    ],
    hint: 'Fluent refused the create as existing, and no lookup finds it; nothing more was sent.',
    part: 'held where this login cannot see',
  },
};

/**
 * The words that follow a count of `kind` in `mode`, singular or plural as `count` asks. A conflict is worded by its
 * kinds when the summary counts them (`conflicts`): one kind by its own words, a mix with each kind's count; failed
 * rows that hold values Fluent did not take as sent (`notTakenAsSent`) are hinted at as such.
 */
export function describeOutcome(
  kind: OutcomeKind,
  mode: RunMode,
  count: number,
  detail: { conflicts?: Partial<Record<ConflictKind, number>>; notTakenAsSent?: Record<string, number> } = {},
): OutcomeWords {
  if (kind === 'conflict' && detail.conflicts) return describeConflicts(mode, count, detail.conflicts);
  if (kind === 'failed' && Object.keys(detail.notTakenAsSent ?? {}).length > 0) {
    // Rows Fluent answered with values otherwise than sent are not sent again while the file and the OMS stay so.
    const words = describeOutcome(kind, mode, count);
    return { ...words, hint: 'Refused by the OMS, or kept otherwise than sent (see each reason).' };
  }
  const wording = WORDING[kind];
  const dryRun = mode === 'dry-run';
  const forms = (dryRun ? wording.dryRun : undefined) ?? wording.apply;
  return {
    phrase: count === 1 ? forms[0] : forms[1],
    hint: (dryRun ? wording.dryRunHint : undefined) ?? wording.hint,
    label: (dryRun ? wording.dryRunLabel : undefined) ?? wording.label,
  };
}

function describeConflicts(
  mode: RunMode,
  count: number,
  conflicts: Partial<Record<ConflictKind, number>>,
): OutcomeWords {
  const generic = describeOutcome('conflict', mode, count);
  const kinds = CONFLICT_KINDS.filter((kind) => (conflicts[kind] ?? 0) > 0);
  const [only] = kinds;
  // Every conflict of one kind (conflicts recorded before kinds were kept would count in none).
  if (only !== undefined && kinds.length === 1 && conflicts[only] === count) {
    const words = CONFLICT_WORDING[only];
    return { ...generic, phrase: count === 1 ? words.apply[0] : words.apply[1], hint: words.hint };
  }
  if (kinds.length === 0) return generic;
  const parts = kinds.map((kind) => `${formatCount(conflicts[kind] ?? 0)} ${CONFLICT_WORDING[kind].part}`);
  return { ...generic, phrase: `${generic.phrase} (${parts.join(', ')})` };
}
