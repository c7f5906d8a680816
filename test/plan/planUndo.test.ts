import { describe, expect, it } from 'vitest';
import { planUndo } from '../../src/plan/planUndo.js';
import { holdsChanges } from '../../src/plan/verifyWrite.js';
import { anOmsCustomer } from '../builders/customers.js';

const change = (field: string, before: string | boolean | null, after: string | boolean | null) => ({
  username: '1_jane@example.com',
  field: field as 'lastName',
  before,
  after,
});

describe('planUndo', () => {
  it('puts back every field the OMS still holds as the run left it', () => {
    const plan = planUndo({
      runId: 'r1',
      username: '1_jane@example.com',
      outcome: 'updated',
      changes: [change('lastName', 'Smith', 'Doe'), change('title', null, 'Dr')],
      oms: anOmsCustomer({ lastName: 'Doe', title: 'Dr' }),
    });
    expect(plan).toEqual({
      kind: 'restore',
      input: { username: '1_jane@example.com', title: null, lastName: 'Smith' },
      changes: [change('title', 'Dr', null), change('lastName', 'Doe', 'Smith')],
      changedSince: [],
    });
  });

  it('leaves a field that changed since alone, naming it', () => {
    const plan = planUndo({
      runId: 'r1',
      username: '1_jane@example.com',
      outcome: 'updated',
      changes: [change('lastName', 'Smith', 'Doe'), change('firstName', 'Jan', 'Jane')],
      oms: anOmsCustomer({ lastName: 'Edited', firstName: 'Jane' }),
    });
    expect(plan).toMatchObject({
      kind: 'restore',
      input: { username: '1_jane@example.com', firstName: 'Jan' },
      changedSince: ['lastName is now "Edited", not "Doe"'],
    });
  });

  it('skips a customer whose every field changed since', () => {
    expect(
      planUndo({
        runId: 'r1',
        username: '1_jane@example.com',
        outcome: 'updated',
        changes: [change('lastName', 'Smith', 'Doe')],
        oms: anOmsCustomer({ lastName: 'Other' }),
      }),
    ).toEqual({ kind: 'skip', reason: 'changed since run r1: lastName is now "Other", not "Doe"', complete: false });
  });

  it('lists a created customer without touching it: Fluent has no delete', () => {
    expect(
      planUndo({
        runId: 'r1',
        username: 'u',
        outcome: 'created',
        changes: [change('lastName', null, 'Doe')],
        oms: anOmsCustomer(),
      }),
    ).toMatchObject({
      kind: 'skip',
      reason: expect.stringMatching(/^created by run r1; Fluent cannot delete/),
      complete: false,
    });
  });

  it('skips a customer the OMS no longer holds', () => {
    expect(
      planUndo({
        runId: 'r1',
        username: 'u',
        outcome: 'updated',
        changes: [change('lastName', 'A', 'B')],
        oms: undefined,
      }),
    ).toMatchObject({
      kind: 'skip',
      complete: false,
    });
  });

  it('undoing the undo is the original run again', () => {
    const original = [change('lastName', 'Smith', 'Doe')];
    const undo = planUndo({
      runId: 'r1',
      username: 'u',
      outcome: 'updated',
      changes: original,
      oms: anOmsCustomer({ lastName: 'Doe' }),
    });
    if (undo.kind !== 'restore') throw new Error('expected a restore');
    const again = planUndo({
      runId: 'u1',
      username: 'u',
      outcome: 'updated',
      changes: undo.changes,
      oms: anOmsCustomer({ lastName: 'Smith' }),
    });
    expect(again).toMatchObject({ kind: 'restore', input: { lastName: 'Doe' } });
  });

  it('puts attributes back in the whole list, keeping those the run never touched, taking out one it added', () => {
    const plan = planUndo({
      runId: 'r1',
      username: 'u',
      outcome: 'updated',
      changes: [change('attributes.tier', '1', '2'), change('attributes.crmId', null, 'C-9')],
      oms: anOmsCustomer({
        attributes: [
          { name: 'tier', type: 'INTEGER', value: 2 },
          { name: 'crmId', type: 'STRING', value: 'C-9' },
          { name: 'segment', type: 'STRING', value: 'B2B' },
        ],
      }),
    });
    expect(plan).toMatchObject({
      kind: 'restore',
      input: {
        attributes: [
          { name: 'tier', type: 'INTEGER', value: 1 },
          { name: 'segment', type: 'STRING', value: 'B2B' },
        ],
      },
      changedSince: [],
    });
    if (plan.kind !== 'restore') throw new Error('expected a restore');
    const after = anOmsCustomer({ attributes: plan.input.attributes ?? [] });
    expect(holdsChanges(plan.changes, after)).toBe(true);
  });

  it('a customer already put back (by an undo that was killed) needs nothing sent', () => {
    expect(
      planUndo({
        runId: 'r1',
        username: 'u',
        outcome: 'updated',
        changes: [change('lastName', 'Smith', 'Doe')],
        oms: anOmsCustomer({ lastName: 'Smith' }),
      }),
    ).toEqual({ kind: 'skip', reason: 'already as it was before run r1', complete: true });
  });

  it('confirms a lost answer only when the OMS holds every value put back', () => {
    const plan = planUndo({
      runId: 'r1',
      username: 'u',
      outcome: 'updated',
      changes: [change('lastName', 'Smith', 'Doe')],
      oms: anOmsCustomer({ lastName: 'Doe' }),
    });
    if (plan.kind !== 'restore') throw new Error('expected a restore');
    expect(holdsChanges(plan.changes, anOmsCustomer({ lastName: 'Smith' }))).toBe(true);
    expect(holdsChanges(plan.changes, anOmsCustomer({ lastName: 'Doe' }))).toBe(false);
    expect(holdsChanges(plan.changes, undefined)).toBe(false);
  });
});
