import { describe, expect, it } from 'vitest';
import type { Recorder } from '../../src/apply/createRecorder.js';
import { LOOKUP_BATCH, runSendLoop, type SendLoopInput } from '../../src/apply/runSendLoop.js';
import { createLogger } from '../../src/log.js';
import type { RowFacts, Settle } from '../../src/plan/decisionTypes.js';
import { MAX_SEND_ROUNDS } from '../../src/plan/resolveUnanswered.js';
import { SYNC_ROW_PLAN, type SyncRow } from '../../src/plan/rowPlan.js';
import { usernameKey } from '../../src/shared/usernameKey.js';
import { aCustomer, anOmsCustomer } from '../builders/customers.js';
import { aScriptedOms, type Call } from './scriptedOms.js';

const silent = createLogger({ stream: { write: () => true } as unknown as NodeJS.WritableStream, format: 'text' });

/** `n` rows of a sync, each a customer the OMS may or may not hold. */
function rowsOf(n: number, overrides: Partial<RowFacts> = {}): SyncRow[] {
  return Array.from({ length: n }, (_, i) => {
    const username = `1_user${i + 1}@example.com`;
    const facts: RowFacts = {
      customer: aCustomer({ username, primaryEmail: `user${i + 1}@example.com`, lastName: 'New' }),
      hash: `h${i + 1}`,
      notes: '',
      retailerId: '1',
      runId: 'run-now',
      mode: 'apply',
      fullCompare: false,
      known: [],
      pending: undefined,
      ...overrides,
    };
    return { row: i + 1, username, usernameKey: usernameKey(username), hash: facts.hash, facts, sentBefore: false };
  });
}

/** A recorder that keeps each decision in memory and notes it among the OMS's calls; a row settled twice throws. */
function aRecorder(calls: (Call | string)[]) {
  const settled = new Map<number, Settle>();
  const recorder: Recorder = {
    settle(row, decision) {
      if (settled.has(row.row)) throw new Error(`row ${row.row} settled twice`);
      settled.set(row.row, decision);
      calls.push(`settle ${row.username}`);
    },
    markSent(sends) {
      for (const { row } of sends) calls.push(`mark ${row.username}`);
    },
    inTransaction: (work) => work(),
  };
  return { recorder, settled };
}

/** Runs the loop over `rows` a page of 1,000 at a time. */
function send(
  rows: SyncRow[],
  oms: ReturnType<typeof aScriptedOms>,
  recorder: Recorder,
  overrides: Partial<SendLoopInput<SyncRow>> = {},
) {
  const pages = function* () {
    for (let i = 0; i < rows.length; i += 1_000) yield rows.slice(i, i + 1_000);
  };
  return runSendLoop({
    pages: pages(),
    plan: SYNC_ROW_PLAN,
    client: oms.client,
    recorder,
    concurrency: 4,
    batch: 1,
    maxErrorRate: 0.05,
    settledRows: 0,
    log: silent,
    signal: new AbortController().signal,
    onRowDone: () => {},
    ...overrides,
  });
}

const outcomesOf = (settled: Map<number, Settle>) => [...settled.values()].map((s) => s.outcome);

describe('the send loop, against a scripted OMS', () => {
  it('looks rows up 100 at a time and sends each mutation once, marked before it leaves', async () => {
    const calls: (Call | string)[] = [];
    const oms = aScriptedOms({ held: [anOmsCustomer({ username: '1_user2@example.com', lastName: 'Old' })], calls });
    const { recorder, settled } = aRecorder(calls);
    expect(await send(rowsOf(250), oms, recorder)).toEqual({});
    expect(settled.size).toBe(250);
    expect(oms.counts).toMatchObject({ lookups: Math.ceil(250 / LOOKUP_BATCH), creates: 249, updates: 1 });
    expect(settled.get(2)).toMatchObject({
      outcome: 'updated',
      changes: expect.arrayContaining([expect.objectContaining({ field: 'lastName', before: 'Old', after: 'New' })]),
    });
    expect(settled.get(1)).toMatchObject({ outcome: 'created', record: { kind: 'applied', appliedBy: 'run-now' } });
    // Every mutation's pending mark is written before the request, and its outcome after the answer.
    for (const call of calls) {
      if (typeof call === 'string' || (call.kind !== 'create' && call.kind !== 'update')) continue;
      const at = calls.indexOf(call);
      expect(calls.indexOf(`mark ${call.username}`)).toBeLessThan(at);
      expect(calls.indexOf(`settle ${call.username}`)).toBeGreaterThan(at);
    }
    expect(oms.maxInFlight()).toBeLessThanOrEqual(4);
  });

  it('confirms a mutation whose answer was lost after it was applied by one lookup, never sending it twice', async () => {
    const oms = aScriptedOms({
      fate: (m, attempt) => (m.input.username.includes('user3@') && attempt === 1 ? 'applied-lost' : 'ok'),
    });
    const { recorder, settled } = aRecorder(oms.calls);
    await send(rowsOf(5), oms, recorder);
    expect(oms.counts.creates).toBe(5);
    expect(settled.get(3)).toMatchObject({
      outcome: 'created',
      reason: expect.stringContaining('confirmed by lookup'),
    });
    expect(oms.calls.filter((c) => typeof c !== 'string' && c.kind === 'lookup')).toHaveLength(2);
  });

  it('sends again what the lookup shows unapplied, and gives up as failed after the last round', async () => {
    const oms = aScriptedOms({
      fate: (m, attempt) =>
        m.input.username.includes('user1@')
          ? attempt === 1
            ? 'lost'
            : 'ok'
          : m.input.username.includes('user2@')
            ? 'lost'
            : 'ok',
    });
    const { recorder, settled } = aRecorder(oms.calls);
    await send(rowsOf(2), oms, recorder);
    expect(settled.get(1)).toMatchObject({ outcome: 'created', reason: expect.stringContaining('sent again after') });
    expect(settled.get(2)).toMatchObject({
      outcome: 'failed',
      reason: expect.stringContaining(`no confirmed answer after ${MAX_SEND_ROUNDS} attempts`),
    });
    expect(
      oms.calls.filter((c) => typeof c !== 'string' && c.kind === 'create' && c.username.includes('user2@')),
    ).toHaveLength(MAX_SEND_ROUNDS);
  });

  it('a create "already exists" for a row a killed run sent is that run’s own create, confirmed', async () => {
    // The killed run's create lands after this run's lookup, just before this run's create arrives.
    const oms = aScriptedOms({
      fate: (m, attempt) => {
        if (m.kind === 'create' && attempt === 1) oms.hold(m.input);
        return 'ok';
      },
    });
    const killed = aRecorder(oms.calls);
    await send(
      rowsOf(1).map((r) => ({ ...r, sentBefore: true })),
      oms,
      killed.recorder,
    );
    expect(killed.settled.get(1)).toMatchObject({
      outcome: 'created',
      reason: expect.stringContaining('confirmed by lookup'),
    });

    // The same answer to a first clean create is another writer's customer: never counted created.
    const other = aScriptedOms({
      fate: (m, attempt) => {
        if (m.kind === 'create' && attempt === 1) other.hold(m.input);
        return 'ok';
      },
    });
    const clean = aRecorder(other.calls);
    await send(rowsOf(1), other, clean.recorder);
    expect(clean.settled.get(1)).toMatchObject({
      outcome: 'unchanged',
      reason: expect.stringContaining('another writer'),
    });
    expect(oms.counts.creates + other.counts.creates).toBe(0);
  });

  it('batches: an alias lost applied and one lost unapplied are resolved by one lookup; only the second goes again', async () => {
    const oms = aScriptedOms({
      fate: (m, attempt) => {
        if (attempt > 1) return 'ok';
        if (m.input.username.includes('user2@')) return 'applied-lost';
        return m.input.username.includes('user4@') ? 'lost' : 'ok';
      },
    });
    const { recorder, settled } = aRecorder(oms.calls);
    await send(rowsOf(10), oms, recorder, { batch: 10 });
    expect(outcomesOf(settled)).toEqual(Array(10).fill('created'));
    expect(oms.counts).toMatchObject({ creates: 10, batches: 2, lookups: 2 });
    expect(oms.calls.filter((c) => typeof c !== 'string' && c.kind === 'batch').map((c) => c.usernames)).toEqual([
      rowsOf(10).map((r) => r.username),
      ['1_user4@example.com'],
    ]);
  });

  it('batches: each alias is verified against its own customer; one Fluent kept otherwise fails alone', async () => {
    const oms = aScriptedOms({
      keeps: (c) => (c.username === '1_user2@example.com' ? { ...c, lastName: 'Ne' } : c),
    });
    const { recorder, settled } = aRecorder(oms.calls);
    await send(rowsOf(3), oms, recorder, { batch: 3 });
    expect(oms.counts).toMatchObject({ batches: 1, creates: 3 });
    expect([1, 2, 3].map((row) => settled.get(row)?.outcome)).toEqual(['created', 'failed', 'created']);
    expect(settled.get(2)).toMatchObject({
      notTaken: ['lastName'],
      reason: expect.stringMatching(/but Fluent did not take every value as sent: lastName holds "Ne", not "New"$/),
      record: { kind: 'notTaken' },
    });
  });

  it('batches: a request refused as a whole goes again row by row; a lost whole answer is resolved by one lookup', async () => {
    const refused = aScriptedOms({ batchFate: (_, request) => (request === 1 ? 'refused' : undefined) });
    const first = aRecorder(refused.calls);
    await send(rowsOf(6), refused, first.recorder, { batch: 6 });
    expect(outcomesOf(first.settled)).toEqual(Array(6).fill('created'));
    expect(refused.counts).toMatchObject({ batches: 1, creates: 6 });

    const lost = aScriptedOms({ batchFate: (_, request) => (request === 1 ? 'lost' : undefined) });
    const second = aRecorder(lost.calls);
    await send(rowsOf(6), lost, second.recorder, { batch: 6 });
    expect(outcomesOf(second.settled)).toEqual(Array(6).fill('created'));
    expect(lost.counts).toMatchObject({ batches: 1, creates: 6, lookups: 2 });
  });

  it('a missing permission stops the run with what Fluent said, once the answered rows are recorded', async () => {
    const oms = aScriptedOms({ fate: (m) => (m.input.username.includes('user3@') ? 'denied' : 'ok') });
    const { recorder, settled } = aRecorder(oms.calls);
    const result = await send(rowsOf(5), oms, recorder, { batch: 5 });
    expect(result.abortReason).toContain('CUSTOMER_UPDATE');
    expect([...settled.keys()].sort()).toEqual([1, 2, 4, 5]);
  });

  it('stops at --max-error-rate once 100 rows are done; with no guard every row is sent', async () => {
    const everyTenth = (m: { input: { username: string } }) => (/user\d*0@/.test(m.input.username) ? 'refused' : 'ok');
    const guarded = aScriptedOms({ fate: everyTenth });
    const first = aRecorder(guarded.calls);
    const result = await send(rowsOf(400), guarded, first.recorder);
    expect(result.abortReason).toMatch(/rows failed \(10\.\d%\), over --max-error-rate 5\.0%/);
    expect(first.settled.size).toBeGreaterThanOrEqual(100);
    expect(first.settled.size).toBeLessThan(400);

    const unguarded = aScriptedOms({ fate: everyTenth });
    const second = aRecorder(unguarded.calls);
    expect(await send(rowsOf(400), unguarded, second.recorder, { maxErrorRate: undefined })).toEqual({});
    expect(outcomesOf(second.settled).filter((o) => o === 'failed')).toHaveLength(40);
  });

  it('a signal stops it: requests in flight finish and are recorded, nothing new is sent', async () => {
    const stop = new AbortController();
    const oms = aScriptedOms({
      fate: () => {
        if (oms.counts.creates >= 20) stop.abort('SIGTERM');
        return 'ok';
      },
    });
    const { recorder, settled } = aRecorder(oms.calls);
    const result = await send(rowsOf(300), oms, recorder, { signal: stop.signal });
    expect(result.abortReason).toBe('stopped by SIGTERM');
    // Every create the OMS applied is recorded, and nothing was sent after the requests in flight at the stop.
    expect(outcomesOf(settled)).toEqual(Array(oms.counts.creates).fill('created'));
    expect(oms.counts.creates).toBeLessThan(40);
  });

  it('keeps the rows in flight bounded whatever the file’s size', async () => {
    const oms = aScriptedOms();
    let settledCount = 0;
    let lookedUp = 0;
    let most = 0;
    const client = {
      ...oms.client,
      findCustomers: (usernames: readonly string[]) => {
        lookedUp += usernames.length;
        most = Math.max(most, lookedUp - settledCount);
        return oms.client.findCustomers(usernames);
      },
    };
    const { recorder } = aRecorder([]);
    await send(rowsOf(1_500), { ...oms, client }, recorder, {
      onRowDone: () => {
        settledCount++;
      },
    });
    expect(settledCount).toBe(1_500);
    // 4 lookups' worth of rows may wait (SPEC §5 memory), plus the one being scheduled.
    expect(most).toBeGreaterThan(LOOKUP_BATCH);
    expect(most).toBeLessThanOrEqual(5 * LOOKUP_BATCH);
  });
});
