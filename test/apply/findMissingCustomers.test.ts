import { afterEach, describe, expect, it } from 'vitest';
import { findMissingCustomers } from '../../src/apply/findMissingCustomers.js';
import { openScratchJournal } from '../../src/checkpoint/openCheckpoint.js';
import { createFluentClient, type FluentClient } from '../../src/fluent/createFluentClient.js';
import type { Credentials } from '../../src/fluent/credentials.js';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { type StubServer, sendJson, startStubServer } from '../fluent/stubServer.js';

const SANDBOX_LOGIN: Credentials = {
  kind: 'password',
  clientId: 'id',
  clientSecret: 'secret',
  username: 'u',
  password: 'p',
};

/** A run journal holding one file row, whose username is `held`. */
function aJournalHolding(held: string) {
  const scratch = openScratchJournal();
  scratch.journal.startRun({
    runId: 'r1',
    mode: 'apply',
    apiHost: null,
    retailerId: '1',
    inputPath: 'f.csv',
    context: {},
  });
  const stager = scratch.journal.createStager('r1');
  stager.add({ row: 1, line: 2, cells: [], customer: { username: held }, hash: 'h' });
  stager.flush();
  return scratch;
}

describe('findMissingCustomers', () => {
  let sandbox: Sandbox | undefined;
  let stub: StubServer | undefined;
  const clients: FluentClient[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    await sandbox?.close();
    await stub?.close();
    sandbox = undefined;
    stub = undefined;
  });
  const clientOf = (apiHost: string, credentials: Credentials = { kind: 'token', accessToken: 'test-token-1234' }) => {
    const client = createFluentClient({
      apiHost,
      credentials,
      ratePerSecond: 1000,
      maxAttempts: 2,
      baseBackoffMs: 1,
    });
    clients.push(client);
    return client;
  };
  const input = (
    c: FluentClient,
    missing: ReturnType<typeof aJournalHolding>['journal'],
    signal = new AbortController().signal,
  ) => ({
    client: c,
    retailerId: '1',
    shard: undefined,
    missing: missing.createMissingList('r1'),
    signal,
    onCustomer: () => {},
    log: { warn: (message: string) => warnings.push(message) },
  });
  const warnings: string[] = [];

  it("keeps the retailer's customers no row holds, case-folded; with a shard, only its own usernames", async () => {
    sandbox = await startSandbox({
      seed: [
        { retailerId: '1', username: '1_HELD@example.com', primaryEmail: 'held@example.com' },
        { retailerId: '1', username: '1_a@example.com', primaryEmail: 'a@example.com' },
        { retailerId: '1', username: '1_b@example.com', primaryEmail: 'b@example.com' },
        { retailerId: '2', username: '2_c@example.com', primaryEmail: 'c@example.com' },
      ],
    });
    const scratch = aJournalHolding('1_held@example.com');
    const all = input(clientOf(sandbox.url, SANDBOX_LOGIN), scratch.journal);
    expect(await findMissingCustomers(all)).toEqual({ listing: { complete: true } });
    expect(warnings).toEqual([]);
    expect([...all.missing.customers()].map((m) => m.username)).toEqual(['1_a@example.com', '1_b@example.com']);

    // Each shard keeps the usernames of its own shard: together they list each missing customer once.
    const perShard: string[][] = [];
    for (let index = 1; index <= 3; index++) {
      const list = scratch.journal.createMissingList('r1');
      await findMissingCustomers({ ...all, missing: list, shard: { index, count: 3 } });
      perShard.push([...list.customers()].map((m) => m.username));
    }
    expect(perShard.flat().sort()).toEqual(['1_a@example.com', '1_b@example.com']);
    scratch.close();
  });

  it('a page that loops ends the list with a warning, marked incomplete; a signal is an abort reason', async () => {
    let page = 0;
    stub = await startStubServer((_request, response) => {
      page++;
      const node = { id: String(page), username: `1_p${page}@example.com`, primaryEmail: null, retailer: { id: '1' } };
      // The pages go c1, c2, c1, c2…: the listing would never end.
      const cursor = `c${((page - 1) % 2) + 1}`;
      sendJson(response, 200, {
        data: { customers: { edges: [{ cursor, node }], pageInfo: { hasNextPage: true } } },
      });
    });
    const scratch = aJournalHolding('1_held@example.com');
    const list = input(clientOf(stub.url), scratch.journal);
    const looping = await findMissingCustomers(list);
    const reason = 'Fluent said more customers follow but gave no new cursor to page with';
    expect(looping).toEqual({ listing: { complete: false, reason } });
    expect(warnings).toEqual([`missing.csv may be incomplete: ${reason} while listing the OMS's customers`]);
    expect(page).toBe(3);
    // What the pages held before they looped is kept, each customer once.
    expect([...list.missing.customers()].map((m) => m.username)).toEqual([
      '1_p1@example.com',
      '1_p2@example.com',
      '1_p3@example.com',
    ]);

    const stopped = new AbortController();
    stopped.abort('SIGTERM');
    const signalled = await findMissingCustomers(input(clientOf(stub.url), scratch.journal, stopped.signal));
    expect(signalled.abortReason).toContain('stopped by SIGTERM while listing');
    scratch.close();
  });
});
