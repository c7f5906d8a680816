import { describe, expect, it } from 'vitest';
import type { KnownCustomer } from '../../src/checkpoint/syncState.js';
import {
  checkCreated,
  decideFromCheckpoint,
  decideFromLookup,
  settleRefused,
  settleSent,
} from '../../src/plan/decideRow.js';
import type { RowFacts, Send } from '../../src/plan/decisionTypes.js';
import { planAction } from '../../src/plan/planAction.js';
import { MAX_SEND_ROUNDS, resolveUnanswered } from '../../src/plan/resolveUnanswered.js';
import { heldHash } from '../../src/plan/verifyWrite.js';
import type { OmsCustomer } from '../../src/types.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';

const facts = (overrides: Partial<RowFacts> = {}): RowFacts => ({
  customer: aCustomer(),
  hash: 'h-file',
  notes: '',
  retailerId: '1',
  runId: 'run-now',
  mode: 'apply',
  fullCompare: false,
  known: [],
  pending: undefined,
  ...overrides,
});

const known = (overrides: Partial<KnownCustomer> = {}): KnownCustomer => ({
  retailerId: '1',
  username: '1_jane@example.com',
  omsId: '100',
  hash: 'h-file',
  notTakenHash: null,
  appliedRun: 'run-before',
  appliedRunStatus: 'completed',
  ...overrides,
});

/** The customer the OMS answers `send` with when it takes every value as sent: `base` with its changes, id `id`. */
function answerTo(send: Send, id: string, base = anOmsCustomer()): OmsCustomer {
  const answer: OmsCustomer = { ...base, id };
  for (const change of send.action.changes) {
    if (change.field.startsWith('attributes.')) {
      const name = change.field.slice('attributes.'.length);
      const others = (answer.attributes ?? []).filter((a) => a.name !== name);
      answer.attributes = change.after === null ? others : [...others, { name, type: 'STRING', value: change.after }];
    } else {
      (answer as unknown as Record<string, unknown>)[change.field] = change.after;
    }
  }
  return answer;
}

/** The send a row with `f` would make against an OMS holding `matches`. */
function sendFor(f: RowFacts, matches = [] as ReturnType<typeof anOmsCustomer>[]): Send {
  const decision = decideFromLookup(f, matches);
  if (decision.kind !== 'send') throw new Error(`expected a send, got ${decision.kind}`);
  return decision;
}

describe('decideFromCheckpoint: what the checkpoint alone decides, with no request', () => {
  const cases: [string, Partial<RowFacts>, string, RegExp | undefined][] = [
    ['nothing known → look up', {}, 'lookup', undefined],
    ['same hash as applied → unchanged', { known: [known()] }, 'unchanged', /^same as applied by run run-before$/],
    [
      'applied by a run that never finished → named as the one that applied it',
      { known: [known({ appliedRunStatus: 'interrupted' })] },
      'unchanged',
      /^applied by run run-before$/,
    ],
    [
      'applied by a run pruned from history → not called interrupted',
      { known: [known({ appliedRunStatus: null })] },
      'unchanged',
      /^same as applied by run/,
    ],
    ['a different hash → look up', { known: [known({ hash: 'h-old' })] }, 'lookup', undefined],
    ['--full-compare → look up', { known: [known()], fullCompare: true }, 'lookup', undefined],
    [
      'a pending mark (a killed run may have changed the OMS) → look up',
      { known: [known()], pending: { runId: 'run-killed', kind: 'update' } },
      'lookup',
      undefined,
    ],
    [
      'held by another retailer → conflict',
      { known: [known({ retailerId: '3', appliedRun: 'run-r3' })] },
      'conflict',
      /^username is already held by retailer 3 \(run run-r3 synced it\)$/,
    ],
    [
      'a case variant held by another retailer → conflict naming it',
      { known: [known({ retailerId: '3', username: '1_Jane@Example.com' })] },
      'conflict',
      /a case variant "1_Jane@Example.com" under retailer 3/,
    ],
    [
      'this retailer synced the name in another case → conflict naming it, never a second customer',
      { customer: aCustomer({ username: 'bob.smith' }), known: [known({ username: 'Bob.Smith' })] },
      'conflict',
      /differs only in case from "Bob.Smith", which run run-before synced/,
    ],
  ];
  for (const [name, overrides, kind, reason] of cases) {
    it(name, () => {
      const decision = decideFromCheckpoint(facts(overrides));
      if (decision.kind === 'lookup') {
        expect(kind).toBe('lookup');
        return;
      }
      expect(decision.outcome).toBe(kind);
      expect(decision.reason).toMatch(reason ?? /./);
      expect(decision.record).toEqual({ kind: 'none' });
    });
  }

  it('adds the normalisation notes to the reason', () => {
    const decision = decideFromCheckpoint(facts({ known: [known()], notes: 'primaryPhone extension 12 was dropped' }));
    expect(decision).toMatchObject({
      reason: 'same as applied by run run-before; primaryPhone extension 12 was dropped',
    });
  });
});

describe('decideFromLookup: what the account-wide lookup decides', () => {
  it('creates what the OMS does not hold', () => {
    const decision = decideFromLookup(facts(), []);
    expect(decision).toMatchObject({ kind: 'send', action: { kind: 'create' }, why: '' });
  });

  it('updates only the changed fields of this retailer’s customer', () => {
    const decision = decideFromLookup(facts(), [anOmsCustomer({ lastName: 'Smith' })]);
    expect(decision).toMatchObject({
      kind: 'send',
      action: { kind: 'update', input: { username: '1_jane@example.com', lastName: 'Doe' } },
    });
  });

  it('is unchanged (and records the verified hash) when the OMS holds the row', () => {
    expect(decideFromLookup(facts(), [anOmsCustomer({ id: '55' })])).toEqual({
      kind: 'settle',
      outcome: 'unchanged',
      reason: 'identical to the OMS',
      changes: [],
      record: { kind: 'applied', appliedBy: 'run-now', omsId: '55' },
      customerId: '55',
    });
  });

  it("knows the customer's OMS id wherever the customer is known, for outcomes.csv", () => {
    const oms = [anOmsCustomer({ id: '55', lastName: 'Old' })];
    const updated = facts({ customer: aCustomer({ lastName: 'New' }) });
    // The checkpoint's id, with no request; the lookup's, for a customer to update or found the same.
    expect(decideFromCheckpoint(facts({ known: [known()] }))).toMatchObject({
      outcome: 'unchanged',
      customerId: '100',
    });
    expect(decideFromLookup({ ...updated, mode: 'dry-run' }, oms)).toMatchObject({
      outcome: 'updated',
      customerId: '55',
    });
    expect(settleSent(updated, sendFor(updated, oms), answerTo(sendFor(updated, oms), '55'))).toMatchObject({
      outcome: 'updated',
      customerId: '55',
    });
    // A customer a dry run would create has no id yet; a created one has the id the OMS answered with.
    expect(decideFromLookup(facts({ mode: 'dry-run' }), [])).toMatchObject({ outcome: 'created', customerId: null });
    expect(settleSent(facts(), sendFor(facts()), answerTo(sendFor(facts()), '77'))).toMatchObject({
      outcome: 'created',
      customerId: '77',
    });
    // A conflict's customer is another retailer's: no id of this row's.
    const elsewhere = [anOmsCustomer({ id: '9', retailerId: '2' })];
    expect(decideFromLookup(facts(), elsewhere)).toMatchObject({ outcome: 'conflict', customerId: null });
  });

  it('credits a killed run whose pending mutation the OMS shows applied', () => {
    const decision = decideFromLookup(facts({ pending: { runId: 'run-killed', kind: 'create' } }), [anOmsCustomer()]);
    expect(decision).toMatchObject({
      outcome: 'unchanged',
      reason: 'applied by run run-killed',
      record: { kind: 'applied', appliedBy: 'run-killed' },
    });
  });

  it('records a killed run’s mutation the OMS shows applied as that run’s row, with what it sent', () => {
    const sent = sendFor(facts());
    const pending = { runId: 'run-killed', kind: 'create' as const, row: 12, changes: sent.action.changes };
    const held = anOmsCustomer({ id: '55', primaryEmail: 'jane@example.com', firstName: 'Jane', lastName: 'Doe' });
    expect(decideFromLookup(facts({ pending }), [held])).toMatchObject({
      outcome: 'unchanged',
      reason: 'applied by run run-killed',
      record: { kind: 'applied', appliedBy: 'run-killed' },
      credit: { runId: 'run-killed', row: 12, outcome: 'created', changes: sent.action.changes, customerId: '55' },
    });
    // The file changed since: the killed run's update is its own, and this run's update goes out with the credit.
    const changed = facts({ customer: aCustomer({ lastName: 'Newer' }), pending: { ...pending, kind: 'update' } });
    const update = sendFor(changed, [held]);
    expect(update).toMatchObject({ kind: 'send', credit: { runId: 'run-killed', outcome: 'updated' } });
    expect(settleSent(changed, update, answerTo(update, '55'))).toMatchObject({
      outcome: 'updated',
      credit: { runId: 'run-killed' },
    });
    // The OMS does not hold what the killed run sent (it never arrived): nothing to credit, this run creates it.
    expect(decideFromLookup(facts({ pending }), [])).toMatchObject({ kind: 'send' });
    expect(decideFromLookup(facts({ pending }), [])).not.toHaveProperty('credit');
    // This run's own mark, a mark that kept no changes (an older checkpoint), and a dry run credit nobody.
    expect(decideFromLookup(facts({ pending: { ...pending, runId: 'run-now' } }), [held])).not.toHaveProperty('credit');
    expect(decideFromLookup(facts({ pending: { runId: 'run-killed', kind: 'create' } }), [held])).not.toHaveProperty(
      'credit',
    );
    expect(decideFromLookup(facts({ pending, mode: 'dry-run' }), [held])).not.toHaveProperty('credit');
  });

  it('is a conflict when another retailer holds the username, and clears any pending mark', () => {
    const decision = decideFromLookup(facts(), [anOmsCustomer({ retailerId: '3', id: '7' })]);
    expect(decision).toMatchObject({
      outcome: 'conflict',
      reason: 'username is already held by retailer 3 (customer id 7)',
      record: { kind: 'unapplied' },
    });
  });

  it('is a conflict naming a case variant this retailer holds, found by a case-insensitive lookup', () => {
    const decision = decideFromLookup(facts(), [anOmsCustomer({ username: '1_Jane@Example.com', id: '8' })]);
    expect(decision).toMatchObject({
      outcome: 'conflict',
      reason: expect.stringContaining('"1_Jane@Example.com" (customer id 8)'),
    });
  });

  it('ignores what a wildcard lookup returns for other names', () => {
    const decision = decideFromLookup(facts(), [anOmsCustomer({ username: '1_janeXexample.com', retailerId: '3' })]);
    expect(decision).toMatchObject({ kind: 'send', action: { kind: 'create' } });
  });

  it('rejects a create without an email', () => {
    const decision = decideFromLookup(
      facts({ customer: aCustomer({ primaryEmail: undefined, username: 'crm-1' }) }),
      [],
    );
    expect(decision).toMatchObject({ outcome: 'rejected', reason: expect.stringContaining('primaryEmail') });
  });

  it('in a dry run, settles what would be created or updated with its diff, recording nothing', () => {
    const dry = facts({ mode: 'dry-run' });
    expect(decideFromLookup(dry, [])).toMatchObject({
      kind: 'settle',
      outcome: 'created',
      record: { kind: 'none' },
      changes: expect.arrayContaining([expect.objectContaining({ field: 'primaryEmail', before: null })]),
    });
    expect(decideFromLookup(dry, [anOmsCustomer({ lastName: 'Smith' })])).toMatchObject({
      outcome: 'updated',
      changes: [{ field: 'lastName', before: 'Smith', after: 'Doe' }],
      record: { kind: 'none' },
    });
    expect(decideFromLookup(dry, [anOmsCustomer({ retailerId: '3' })])).toMatchObject({
      outcome: 'conflict',
      record: { kind: 'none' },
    });
  });
});

describe('settling a sent mutation', () => {
  it('an answered create is created, with every field sent as its diff', () => {
    const f = facts({ notes: 'primaryPhone extension 9 was dropped' });
    const settled = settleSent(f, sendFor(f), answerTo(sendFor(f), '77'));
    expect(settled).toMatchObject({
      outcome: 'created',
      reason: 'primaryPhone extension 9 was dropped',
      record: { kind: 'applied', appliedBy: 'run-now', omsId: '77' },
    });
    expect(settled.changes.map((c) => c.field)).toEqual(expect.arrayContaining(['username', 'primaryEmail']));
  });

  it('a refused mutation is failed with Fluent’s reason', () => {
    const f = facts();
    expect(settleRefused(f, sendFor(f), 'C0141E: firstName is too long')).toMatchObject({
      outcome: 'failed',
      reason: 'Fluent refused the create: C0141E: firstName is too long',
      record: { kind: 'unapplied' },
    });
  });
});

describe('resolveUnanswered: an answer that cannot be trusted, resolved by a fresh lookup', () => {
  const lost = { kind: 'lost' as const, detail: 'HTTP 502', round: 1, mayHaveAppliedBefore: false };
  const exists = { kind: 'exists' as const, detail: 'C0123E: already exists', round: 1, mayHaveAppliedBefore: false };

  it('confirms a create whose response was lost when the OMS now holds the row', () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), lost, [anOmsCustomer({ id: '5' })])).toMatchObject({
      outcome: 'created',
      reason: 'confirmed by lookup after a lost response (HTTP 502)',
      record: { kind: 'applied', appliedBy: 'run-now', omsId: '5' },
    });
  });

  it('confirms an update whose response was lost', () => {
    const f = facts();
    const send = sendFor(f, [anOmsCustomer({ lastName: 'Smith' })]);
    expect(resolveUnanswered(f, send, lost, [anOmsCustomer()])).toMatchObject({ outcome: 'updated' });
  });

  it('sends again when the lookup shows the mutation was not applied, saying so', () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), lost, [])).toMatchObject({
      kind: 'send',
      action: { kind: 'create' },
      why: 'sent again after a lost response (HTTP 502) that the lookup showed was not applied',
    });
  });

  it(`gives up as failed after ${MAX_SEND_ROUNDS} sends without a confirmed answer`, () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), { ...lost, round: MAX_SEND_ROUNDS }, [])).toMatchObject({
      outcome: 'failed',
      reason: `no confirmed answer after ${MAX_SEND_ROUNDS} attempts (last: HTTP 502); the lookup shows it was not applied`,
      record: { kind: 'unapplied' },
    });
  });

  it('a first create answered "already exists" is never counted created: another writer made it', () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), exists, [anOmsCustomer()])).toMatchObject({
      outcome: 'unchanged',
      reason: expect.stringMatching(/^created meanwhile by another writer with the same values/),
    });
    expect(resolveUnanswered(f, sendFor(f), exists, [anOmsCustomer({ lastName: 'Other' })])).toMatchObject({
      kind: 'send',
      action: { kind: 'update' },
      why: expect.stringMatching(/^created meanwhile by another writer .*updated to the file's values$/),
    });
  });

  it('"already exists" after an earlier lost response of this row is our own create, confirmed', () => {
    const f = facts();
    const again = { ...exists, round: 2, mayHaveAppliedBefore: true };
    expect(resolveUnanswered(f, sendFor(f), again, [anOmsCustomer()])).toMatchObject({ outcome: 'created' });
  });

  it('"already exists" that no lookup can see ends as a conflict with Fluent’s reason, not retried', () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), exists, [])).toMatchObject({
      kind: 'settle',
      outcome: 'conflict',
      reason: expect.stringContaining('C0123E: already exists'),
    });
  });

  it('a conflict that appeared meanwhile ends the row as a conflict', () => {
    const f = facts();
    expect(resolveUnanswered(f, sendFor(f), lost, [anOmsCustomer({ retailerId: '2' })])).toMatchObject({
      outcome: 'conflict',
    });
  });
});

describe('--mode: which changes a run may make', () => {
  const lost = { kind: 'lost' as const, detail: 'HTTP 502', round: 1, mayHaveAppliedBefore: false };
  const exists = { kind: 'exists' as const, detail: 'C0123E: already exists', round: 1, mayHaveAppliedBefore: false };

  it('create-only leaves an existing customer that differs unchanged, recording nothing as applied', () => {
    const decision = decideFromLookup(facts({ writeMode: 'create-only' }), [anOmsCustomer({ lastName: 'Smith' })]);
    expect(decision).toEqual({
      kind: 'settle',
      outcome: 'unchanged',
      reason:
        'already in the OMS, and --mode create-only leaves existing customers as they are (it differs in lastName)',
      changes: [],
      record: { kind: 'unapplied' },
      customerId: '100',
    });
  });

  it('create-only still creates, and an identical customer still records its hash', () => {
    const f = facts({ writeMode: 'create-only' });
    expect(decideFromLookup(f, [])).toMatchObject({ kind: 'send', action: { kind: 'create' } });
    expect(decideFromLookup(f, [anOmsCustomer()])).toMatchObject({ record: { kind: 'applied' } });
  });

  it('update-only makes a row with no customer skipped, in a dry run too', () => {
    for (const mode of ['apply', 'dry-run'] as const) {
      expect(decideFromLookup(facts({ writeMode: 'update-only', mode }), [])).toMatchObject({
        kind: 'settle',
        outcome: 'skipped',
        reason: 'not in the OMS, and --mode update-only creates no customer',
        changes: [],
      });
    }
  });

  it('update-only updates what exists', () => {
    const decision = decideFromLookup(facts({ writeMode: 'update-only' }), [anOmsCustomer({ lastName: 'Smith' })]);
    expect(decision).toMatchObject({ kind: 'send', action: { kind: 'update' } });
  });

  it('create-only: a lost create the lookup shows held with other values was another writer’s; left as it is', () => {
    const f = facts({ writeMode: 'create-only' });
    for (const unanswered of [lost, exists]) {
      expect(resolveUnanswered(f, sendFor(f), unanswered, [anOmsCustomer({ lastName: 'Other' })])).toMatchObject({
        kind: 'settle',
        outcome: 'unchanged',
        reason: expect.stringMatching(
          /^created meanwhile by another writer \(.+\); already in the OMS, and --mode create-only/,
        ),
        record: { kind: 'unapplied' },
      });
    }
    expect(resolveUnanswered(f, sendFor(f), lost, [anOmsCustomer()])).toMatchObject({ outcome: 'created' });
  });

  it('update-only: an update whose customer the lookup no longer finds is skipped, not created', () => {
    const f = facts({ writeMode: 'update-only' });
    const send = sendFor(f, [anOmsCustomer({ lastName: 'Smith' })]);
    expect(resolveUnanswered(f, send, lost, [])).toMatchObject({
      kind: 'settle',
      outcome: 'skipped',
      reason: 'no longer in the OMS after a lost response (HTTP 502), and --mode update-only creates no customer',
    });
  });
});

describe('checkCreated: after the apply, another writer may hold what the run created', () => {
  it('passes when the run’s customer is the only one of its name', () => {
    expect(checkCreated('1_jane@example.com', '1', [anOmsCustomer()])).toBeUndefined();
  });

  it('names another retailer that holds it too', () => {
    expect(
      checkCreated('1_jane@example.com', '1', [anOmsCustomer(), anOmsCustomer({ retailerId: '2', id: '9' })]),
    ).toBe('created concurrently by another writer: username is already held by retailer 2 (customer id 9)');
  });

  it('names a case variant another writer created in this retailer', () => {
    expect(
      checkCreated('1_jane@example.com', '1', [anOmsCustomer(), anOmsCustomer({ username: '1_JANE@example.com' })]),
    ).toMatch(/differs from this username only in case/);
  });

  it('agrees with planAction on what counts as the same name', () => {
    expect(planAction(aCustomer(), [anOmsCustomer({ username: '1_JANE@example.com' })], '1').kind).toBe('conflict');
  });
});

describe('verified writes: a value Fluent did not take as sent', () => {
  const lost = { kind: 'lost' as const, detail: 'HTTP 502', round: 1, mayHaveAppliedBefore: false };
  const withPhone = facts({ customer: aCustomer({ primaryPhone: '+61412345678' }), hash: 'h-file' });
  const reformatted = (send: Send) => ({ ...answerTo(send, '77'), primaryPhone: '+61 412 345 678' });

  it('a create answered with a reformatted phone is failed, naming the field and what Fluent holds', () => {
    const send = sendFor(withPhone);
    const answered = reformatted(send);
    const settled = settleSent(withPhone, send, answered);
    expect(settled).toMatchObject({
      outcome: 'failed',
      reason:
        'created (customer id 77), but Fluent did not take every value as sent: primaryPhone holds "+61 412 345 678", not "+61412345678"',
      customerId: '77',
      notTaken: ['primaryPhone'],
      record: { kind: 'notTaken', omsId: '77', heldHash: heldHash(withPhone.customer, answered) },
    });
    // Its diff lines are what Fluent shows changed: the phone as Fluent holds it.
    expect(settled.changes.find((c) => c.field === 'primaryPhone')).toMatchObject({ after: '+61 412 345 678' });
    // A dry run records nothing.
    expect(settleSent({ ...withPhone, mode: 'dry-run' }, send, answered).record).toEqual({ kind: 'none' });
  });

  it('an update answered with a truncated value is failed, keeping its note', () => {
    const f = facts({ customer: aCustomer({ lastName: 'Montgomery', department: 'Ops' }) });
    const send = sendFor(f, [anOmsCustomer({ lastName: 'Doe' })]);
    const settled = settleSent(f, send, { ...answerTo(send, '100'), lastName: 'Montgo' });
    expect(settled).toMatchObject({ outcome: 'failed', notTaken: ['lastName'] });
    expect(settled.reason).toBe(
      'Fluent did not take every value of the update as sent: lastName holds "Montgo", not "Montgomery"; department differs (OMS "", file "Ops") but Fluent cannot update it',
    );
  });

  describe('the next night, the file still saying what Fluent did not take', () => {
    const held = anOmsCustomer({ id: '77', primaryPhone: '+61 412 345 678' });
    const heldAs = heldHash(withPhone.customer, held);
    const night = (overrides: Partial<RowFacts> = {}) =>
      facts({
        ...withPhone,
        known: [known({ omsId: '77', hash: heldAs, notTakenHash: 'h-file', appliedRun: 'run-night-1' })],
        ...overrides,
      });

    it('is not unchanged by hash: the checkpoint holds the hash of what Fluent holds', () => {
      expect(decideFromCheckpoint(night())).toEqual({ kind: 'lookup' });
    });

    it('is failed again, naming the run and the values, and sends nothing while the OMS still holds them', () => {
      const decision = decideFromLookup(night(), [held]);
      expect(decision).toMatchObject({
        kind: 'settle',
        outcome: 'failed',
        notTaken: ['primaryPhone'],
        record: { kind: 'unapplied' },
        changes: [],
        customerId: '77',
      });
      expect(decision.kind === 'settle' && decision.reason).toBe(
        'Fluent did not take every value as sent by run run-night-1, and still holds what it held then (not sent again while the file and the OMS stay so; --full-compare sends it again): primaryPhone holds "+61 412 345 678", not "+61412345678"',
      );
      // A dry run says the same.
      expect(decideFromLookup(night({ mode: 'dry-run' }), [held])).toMatchObject({ outcome: 'failed' });
    });

    it('is sent again with --full-compare, or once the OMS holds something else', () => {
      expect(decideFromLookup(night({ fullCompare: true }), [held])).toMatchObject({ kind: 'send' });
      expect(decideFromLookup(night(), [{ ...held, primaryPhone: '+61400000000' }])).toMatchObject({ kind: 'send' });
    });

    it('is unchanged once Fluent holds what the file says (someone fixed it in Fluent)', () => {
      expect(decideFromLookup(night(), [{ ...held, primaryPhone: '+61412345678' }])).toMatchObject({
        outcome: 'unchanged',
        record: { kind: 'applied' },
      });
    });

    it('is unchanged by hash, with no request, once the file says what Fluent holds', () => {
      const fixedFile = aCustomer({ primaryPhone: '+61 412 345 678' });
      expect(decideFromCheckpoint(night({ customer: fixedFile, hash: heldAs }))).toMatchObject({
        outcome: 'unchanged',
      });
    });
  });

  it('a lost create the lookup finds applied with a value not taken is failed, not created nor sent again', () => {
    const send = sendFor(withPhone);
    const found = { ...reformatted(send), id: '5' };
    expect(resolveUnanswered(withPhone, send, lost, [found])).toMatchObject({
      kind: 'settle',
      outcome: 'failed',
      reason: expect.stringMatching(
        /^confirmed by lookup after a lost response \(HTTP 502\); created \(customer id 5\), but Fluent did not take/,
      ),
      notTaken: ['primaryPhone'],
      record: { kind: 'notTaken', omsId: '5' },
    });
  });

  it('a lost update the lookup shows applied otherwise than sent is failed; one never applied is sent again', () => {
    const f = facts({ customer: aCustomer({ lastName: 'Montgomery' }) });
    const send = sendFor(f, [anOmsCustomer({ lastName: 'Doe' })]);
    expect(resolveUnanswered(f, send, lost, [anOmsCustomer({ lastName: 'Montgo' })])).toMatchObject({
      outcome: 'failed',
      notTaken: ['lastName'],
    });
    expect(resolveUnanswered(f, send, lost, [anOmsCustomer({ lastName: 'Doe' })])).toMatchObject({ kind: 'send' });
  });
});

describe('the kind of each conflict, as data', () => {
  it('from the checkpoint: another retailer, or a case variant of this retailer', () => {
    const other = decideFromCheckpoint(facts({ known: [known({ retailerId: '2' })] }));
    expect(other).toMatchObject({ outcome: 'conflict', conflict: 'otherRetailer' });
    const variant = decideFromCheckpoint(facts({ known: [known({ username: '1_Jane@example.com' })] }));
    expect(variant).toMatchObject({ outcome: 'conflict', conflict: 'caseVariant' });
  });

  it('from the lookup: another retailer (in any case), a case variant of this retailer', () => {
    expect(decideFromLookup(facts(), [anOmsCustomer({ retailerId: '2' })])).toMatchObject({
      conflict: 'otherRetailer',
    });
    expect(
      decideFromLookup(facts(), [anOmsCustomer({ retailerId: '2', username: '1_JANE@example.com' })]),
    ).toMatchObject({ conflict: 'otherRetailer' });
    expect(decideFromLookup(facts(), [anOmsCustomer({ username: '1_Jane@example.com' })])).toMatchObject({
      outcome: 'conflict',
      conflict: 'caseVariant',
    });
  });

  it('"already exists" for a customer no lookup can see', () => {
    const exists = { kind: 'exists' as const, detail: 'C0123E', round: 1, mayHaveAppliedBefore: false };
    expect(resolveUnanswered(facts(), sendFor(facts()), exists, [])).toMatchObject({ conflict: 'unseen' });
  });
});

describe('a customer the OMS holds as INACTIVE', () => {
  it('is updated, its reason saying so; an identical one is unchanged as any other', () => {
    const f = facts({ customer: aCustomer({ lastName: 'New' }) });
    const inactive = anOmsCustomer({ status: 'INACTIVE' });
    const send = sendFor(f, [inactive]);
    expect(settleSent(f, send, answerTo(send, '100', inactive))).toMatchObject({
      outcome: 'updated',
      reason: 'the OMS holds the customer as "INACTIVE"; updated all the same, its status left as it is',
    });
    expect(decideFromLookup(facts(), [inactive])).toMatchObject({
      outcome: 'unchanged',
      reason: 'identical to the OMS',
    });
  });
});
