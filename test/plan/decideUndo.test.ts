import { describe, expect, it } from 'vitest';
import type { PendingMutation } from '../../src/checkpoint/syncState.js';
import { type UndoRow, undoRowPlan } from '../../src/plan/decideUndo.js';
import type { Send, Settle } from '../../src/plan/decisionTypes.js';
import { MAX_SEND_ROUNDS } from '../../src/plan/resolveUnanswered.js';
import type { FieldChange } from '../../src/types.js';
import { anOmsCustomer } from '../builders/customers.js';

const username = '1_jane@example.com';
const change = (field: FieldChange['field'], before: string | null, after: string | null): FieldChange => ({
  username,
  field,
  before,
  after,
});
/** Run r1 renamed Jane Smith to Jane Doe. */
const renamed = [change('lastName', 'Smith', 'Doe')];
const row = (overrides: Partial<UndoRow> = {}): UndoRow => ({
  row: 1,
  username,
  usernameKey: username,
  hash: '',
  sentBefore: false,
  target: { username, outcome: 'updated', changes: renamed },
  pending: undefined,
  ...overrides,
});
const plan = undoRowPlan({ runId: 'undo-2', targetRunId: 'r1', retailerId: '1', dryRun: false });
const dryPlan = undoRowPlan({ runId: 'undo-2', targetRunId: 'r1', retailerId: '1', dryRun: true });
const asSend = (decision: Settle | Send): Send => {
  if (decision.kind !== 'send') throw new Error(`expected a send, got ${decision.outcome}`);
  return decision;
};

describe('decideUndo: what each customer of an undone run comes to', () => {
  const cases: [string, UndoRow, ReturnType<typeof anOmsCustomer>[], Partial<Settle>][] = [
    [
      'already as before the run (a killed undo sent it): unchanged, its hash doubted as a finished undo’s is',
      row(),
      [anOmsCustomer({ lastName: 'Smith' })],
      {
        outcome: 'unchanged',
        reason: 'already as it was before run r1',
        record: { kind: 'doubted' },
        incomplete: false,
      },
    ],
    [
      'changed since by someone else: skipped, its hash doubted (the OMS holds what no run applied)',
      row(),
      [anOmsCustomer({ lastName: 'Edited' })],
      {
        outcome: 'skipped',
        reason: expect.stringContaining('changed since run r1'),
        record: { kind: 'doubted' },
        incomplete: true,
      },
    ],
    [
      'no longer in the OMS: skipped, doubted',
      row(),
      [],
      { outcome: 'skipped', record: { kind: 'doubted' }, incomplete: true },
    ],
    [
      'created by the run: listed, its hash kept (it is what the run made)',
      row({ target: { username, outcome: 'created', changes: [] } }),
      [],
      {
        outcome: 'skipped',
        reason: expect.stringContaining('Fluent cannot delete'),
        record: { kind: 'unapplied' },
        incomplete: true,
      },
    ],
  ];
  it.each(cases)('%s', (_, undoRow, matches, expected) => {
    expect(plan.decide(undoRow, matches)).toMatchObject({ kind: 'settle', ...expected });
  });

  it('looks up only what the run updated', () => {
    expect(plan.needsLookup(row())).toBe(true);
    expect(plan.needsLookup(row({ target: { username, outcome: 'created', changes: [] } }))).toBe(false);
  });

  it('ignores another retailer’s customer and a case variant of the name', () => {
    const others = [
      anOmsCustomer({ retailerId: '2', lastName: 'Doe' }),
      anOmsCustomer({ username: '1_Jane@example.com' }),
    ];
    expect(plan.decide(row(), others)).toMatchObject({
      outcome: 'skipped',
      reason: expect.stringContaining('no longer found'),
    });
  });

  it('sends the earlier values where the OMS holds what the run set, and settles the answer as put back', () => {
    const send = asSend(plan.decide(row(), [anOmsCustomer({ lastName: 'Doe' })]));
    expect(send.action).toMatchObject({ kind: 'update', input: { username, lastName: 'Smith' } });
    expect(plan.settleSent(row(), send, anOmsCustomer({ lastName: 'Smith' }))).toMatchObject({
      outcome: 'updated',
      reason: 'put back as before run r1',
      changes: [change('lastName', 'Doe', 'Smith')],
      record: { kind: 'doubted' },
      incomplete: false,
    });
    expect(plan.settleRefused(row(), send, 'C0160E: refused')).toMatchObject({
      outcome: 'failed',
      reason: 'Fluent refused the update: C0160E: refused',
      record: { kind: 'unapplied' },
      incomplete: true,
    });
  });

  it('a dry run settles what would be put back, with its diff, recording nothing', () => {
    expect(dryPlan.decide(row(), [anOmsCustomer({ lastName: 'Doe' })])).toMatchObject({
      kind: 'settle',
      outcome: 'updated',
      reason: 'would be put back as before run r1',
      changes: [change('lastName', 'Doe', 'Smith')],
      record: { kind: 'none' },
    });
    expect(dryPlan.decide(row(), [anOmsCustomer({ lastName: 'Smith' })])).toMatchObject({ record: { kind: 'none' } });
  });

  it('a lost answer is confirmed by the lookup, sent again while unapplied, and given up after the last round', () => {
    const send = asSend(plan.decide(row(), [anOmsCustomer({ lastName: 'Doe' })]));
    const lost = (round: number) => ({ kind: 'lost' as const, detail: 'HTTP 502', round, mayHaveAppliedBefore: false });
    expect(plan.resolve(row(), send, lost(1), [anOmsCustomer({ lastName: 'Smith' })])).toMatchObject({
      outcome: 'updated',
      reason: 'put back as before run r1, confirmed by lookup after a lost response (HTTP 502)',
    });
    expect(plan.resolve(row(), send, lost(1), [anOmsCustomer({ lastName: 'Doe' })])).toMatchObject({ kind: 'send' });
    expect(plan.resolve(row(), send, lost(MAX_SEND_ROUNDS), [anOmsCustomer({ lastName: 'Doe' })])).toMatchObject({
      outcome: 'failed',
      reason: `no confirmed answer after ${MAX_SEND_ROUNDS} attempts (last: HTTP 502)`,
      record: { kind: 'doubted' },
    });
  });

  it('a killed undo’s put-back the OMS shows applied is recorded as that undo’s, so undoing it is the run again', () => {
    const pending: PendingMutation = {
      runId: 'undo-1',
      kind: 'update',
      row: 4,
      changes: [change('lastName', 'Doe', 'Smith')],
    };
    const decision = plan.decide(row({ pending, sentBefore: true }), [anOmsCustomer({ id: '55', lastName: 'Smith' })]);
    expect(decision).toMatchObject({
      outcome: 'unchanged',
      reason: 'already as it was before run r1; applied by run undo-1',
      record: { kind: 'doubted' },
      credit: { runId: 'undo-1', row: 4, outcome: 'updated', changes: pending.changes, customerId: '55' },
    });
    // Not applied after all (the OMS holds what r1 set): put back now, by this undo.
    const send = plan.decide(row({ pending, sentBefore: true }), [anOmsCustomer({ lastName: 'Doe' })]);
    expect(send).toMatchObject({ kind: 'send' });
    expect(send).not.toHaveProperty('credit');
    // A dry run credits nobody.
    expect(dryPlan.decide(row({ pending }), [anOmsCustomer({ lastName: 'Smith' })])).not.toHaveProperty('credit');
  });
});

describe('verified put-backs: a value Fluent kept after the undo sent it back', () => {
  /** Run r1 gave Jane a title and a tier attribute she had not had. */
  const added = [change('title', null, 'Dr'), change('attributes.tier', null, 'gold')];
  const target = { username, outcome: 'updated' as const, changes: added };
  const asLeft = anOmsCustomer({ title: 'Dr', attributes: [{ name: 'tier', type: 'STRING', value: 'gold' }] });

  it('under merged attributes and ignored nulls, nothing is put back: failed, naming each value, incomplete', () => {
    const send = asSend(plan.decide(row({ target }), [asLeft]));
    expect(send.action.input).toEqual({ username, title: null, attributes: [] });
    const settled = plan.settleSent(row({ target }), send, asLeft);
    expect(settled).toMatchObject({
      outcome: 'failed',
      incomplete: true,
      notTaken: ['title', 'attributes.tier'],
      changes: [],
      record: { kind: 'doubted' },
    });
    expect(settled.reason).toBe(
      'not put back as before run r1: Fluent did not take every value as sent: title holds "Dr", not (none); attributes.tier holds "gold", not (none); whether Fluent clears a field sent as null, or removes an attribute left out of the list, is not documented',
    );
  });

  it('a value put back and one kept: failed, its diff what was put back', () => {
    const send = asSend(plan.decide(row({ target }), [asLeft]));
    const settled = plan.settleSent(row({ target }), send, { ...asLeft, title: null });
    expect(settled).toMatchObject({ outcome: 'failed', notTaken: ['attributes.tier'] });
    expect(settled.changes).toEqual([change('title', 'Dr', null)]);
  });

  it('every value put back: updated, as before', () => {
    const send = asSend(plan.decide(row({ target }), [asLeft]));
    expect(plan.settleSent(row({ target }), send, { ...asLeft, title: null, attributes: [] })).toMatchObject({
      outcome: 'updated',
      reason: 'put back as before run r1',
    });
  });

  it('a lost put-back the lookup finds applied in part is verified the same way, not sent again', () => {
    const send = asSend(plan.decide(row({ target }), [asLeft]));
    const lost = { kind: 'lost' as const, detail: 'HTTP 502', round: 1, mayHaveAppliedBefore: false };
    const found = plan.resolve(row({ target }), send, lost, [{ ...asLeft, title: null }]);
    expect(found).toMatchObject({ kind: 'settle', outcome: 'failed', notTaken: ['attributes.tier'] });
    expect(found.kind === 'settle' && found.reason).toMatch(
      /^not put back as before run r1 \(found by lookup after a lost response \(HTTP 502\)\)/,
    );
    // Found with nothing put back: the put-back never arrived, and is sent again.
    expect(plan.resolve(row({ target }), send, lost, [asLeft])).toMatchObject({ kind: 'send' });
  });
});
