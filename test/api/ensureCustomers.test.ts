import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { openCheckpointForReading } from '../../src/checkpoint/openCheckpoint.js';
import {
  AbortError,
  type CustomerRecord,
  createSandbox,
  type EnsureCustomersOptions,
  ensureCustomers,
  type SandboxHandle,
  UsageError,
} from '../../src/index.js';
import { makeWorkspace, readReport } from '../helpers/workspace.js';

/** Any non-empty values do for the sandbox; these must never show up in a log line. */
const credentials = {
  clientId: 'order-import-client',
  clientSecret: 'S3cret-order-import-5d1',
  username: 'order-import-user',
  password: 'P4ss-order-import-83f',
};

const ann = { primaryEmail: 'ann@example.com', firstName: 'Ann', lastName: 'Lee' };

/** Retailer 1's Ann exists already; retailer 2 holds the username retailer 1 would give Bob. */
const SEED = [
  { id: '101', retailerId: '1', username: '1_ann@example.com', ...ann, promotionOptIn: false },
  { id: '202', retailerId: '2', username: '1_bob@example.com', primaryEmail: 'bob@example.com' },
];

describe('ensureCustomers against the sandbox', () => {
  const ws = makeWorkspace('cs-ensure-');
  const sandboxes: SandboxHandle[] = [];
  let sandbox: SandboxHandle;
  let options: EnsureCustomersOptions;
  afterAll(async () => {
    await Promise.all(sandboxes.map((s) => s.stop()));
    ws.remove();
  });
  beforeEach(async (context) => {
    sandbox = await createSandbox({ seed: SEED });
    sandboxes.push(sandbox);
    const name = context.task.name.replace(/\W+/g, '-').slice(0, 40);
    options = { apiHost: sandbox.url, retailerId: 1, checkpoint: ws.path(name, 'cp.sqlite'), credentials, env: {} };
  });
  const requests = () => sandbox.stats().requests;
  const customer = (username: string) => sandbox.customers().find((c) => c.username === username);

  it('gives an existing customer its id without a create, and creates a missing one once', async () => {
    const results = await ensureCustomers([ann, { primaryEmail: 'Cy@Example.com', firstName: 'Cy' }], options);
    const cy = customer('1_cy@example.com');
    expect(cy).toMatchObject({ retailerId: '1', primaryEmail: 'cy@example.com', firstName: 'Cy' });
    expect(results).toEqual([
      { customerId: '101', username: '1_ann@example.com', outcome: 'unchanged', reason: 'identical to the OMS' },
      { customerId: cy?.id, username: '1_cy@example.com', outcome: 'created', reason: '' },
    ]);
    expect(sandbox.stats().creates).toBe(1);
    expect(sandbox.customers()).toHaveLength(3);
  });

  it('a second call for the same customers sends no request at all', async () => {
    const first = await ensureCustomers([ann, { primaryEmail: 'dee@example.com' }], options);
    const before = requests();
    const second = await ensureCustomers([{ primaryEmail: 'dee@example.com' }, ann], options);
    expect(requests()).toBe(before);
    expect(second.map((r) => r.customerId)).toEqual([first[1]?.customerId, '101']);
    expect(second.map((r) => r.outcome)).toEqual(['unchanged', 'unchanged']);
    expect(sandbox.stats().creates).toBe(1);
  });

  it('a username held by another retailer is a conflict with no id, and nothing is created', async () => {
    const [bob] = await ensureCustomers([{ primaryEmail: 'bob@example.com' }], options);
    expect(bob).toEqual({
      customerId: null,
      username: '1_bob@example.com',
      outcome: 'conflict',
      reason: expect.stringContaining('already held by retailer 2 (customer id 202)'),
    });
    expect(sandbox.stats().creates).toBe(0);
  });

  it('two calls at once for the same username create it once and give both the same id', async () => {
    const eve = { primaryEmail: 'eve@example.com', firstName: 'Eve' };
    const [a, b] = await Promise.all([ensureCustomers([eve], options), ensureCustomers([eve], options)]);
    const created = customer('1_eve@example.com');
    expect(sandbox.stats().creates).toBe(1);
    expect(a?.[0]).toMatchObject({ customerId: created?.id, outcome: 'created' });
    expect(b?.[0]).toMatchObject({ customerId: created?.id, outcome: 'unchanged' });
  });

  it('the same customer twice in one call is created once; the second is a duplicate with the same id', async () => {
    const fay = { primaryEmail: 'fay@example.com' };
    const results = await ensureCustomers([fay, { primaryEmail: ' FAY@example.com ' }], options);
    const id = customer('1_fay@example.com')?.id;
    expect(results.map((r) => [r.outcome, r.customerId])).toEqual([
      ['created', id],
      ['duplicate', id],
    ]);
    expect(sandbox.stats().creates).toBe(1);
  });

  it('normalises as a sync does: a record that fails a check is rejected with its reason, the rest go on', async () => {
    const results = await ensureCustomers(
      [
        { primaryEmail: 'not-an-email', firstName: 'Gus' },
        {
          primaryEmail: 'hal@example.com',
          primaryPhone: '020 7946 0000',
          country: 'United Kingdom',
          promotionOptIn: 'ja',
        },
      ],
      options,
    );
    expect(results[0]).toMatchObject({ customerId: null, username: null, outcome: 'rejected' });
    expect(results[0]?.reason).toMatch(/primaryEmail/);
    expect(results[1]?.outcome).toBe('created');
    expect(customer('1_hal@example.com')).toMatchObject({
      primaryPhone: '+442079460000',
      country: 'GB',
      promotionOptIn: true,
    });
  });

  it('dryRun looks up and creates nothing: a missing customer would be created, with no id yet', async () => {
    const results = await ensureCustomers([ann, { primaryEmail: 'pam@example.com' }], { ...options, dryRun: true });
    expect(results.map((r) => [r.outcome, r.customerId])).toEqual([
      ['unchanged', '101'],
      ['created', null],
    ]);
    expect(sandbox.stats().mutations).toBe(0);
    const [pam] = await ensureCustomers([{ primaryEmail: 'pam@example.com' }], options);
    expect(pam).toMatchObject({ outcome: 'created', customerId: customer('1_pam@example.com')?.id });
  });

  it('an existing customer that differs is left as it is, with its id', async () => {
    const [result] = await ensureCustomers([{ ...ann, firstName: 'Annie' }], options);
    expect(result).toMatchObject({ customerId: '101', outcome: 'unchanged' });
    expect(result?.reason).toMatch(/differs in firstName/);
    expect(customer('1_ann@example.com')?.firstName).toBe('Ann');
    expect(sandbox.stats().mutations).toBe(0);
  });

  it('raw rows with a mapping file, and a username template over a raw column', async () => {
    const mapping = ws.write(
      'mapping.json',
      JSON.stringify({ columns: { EMAIL: 'primaryEmail', FIRST: 'firstName' } }),
    );
    const rows: CustomerRecord[] = [{ EMAIL: 'ida@example.com', FIRST: 'Ida', CRM: 'C-77', orderId: { nested: true } }];
    const [ida] = await ensureCustomers(rows, { ...options, mapping, usernameTemplate: 'crm-{column:CRM}' });
    expect(ida).toMatchObject({ username: 'crm-c-77', outcome: 'created' });
    expect(customer('crm-c-77')).toMatchObject({ primaryEmail: 'ida@example.com', firstName: 'Ida' });
  });

  it('writes a report only into a reportDir it is given; each call is a run in the checkpoint', async () => {
    await ensureCustomers([{ primaryEmail: 'jo@example.com' }], options);
    const reportDir = ws.path('ensure-report');
    await ensureCustomers([{ primaryEmail: 'jo@example.com' }, { primaryEmail: 'kat@example.com' }], {
      ...options,
      reportDir,
    });
    const report = readReport(reportDir);
    expect(report).toMatchObject({ input: { path: 'ensureCustomers', format: 'records' }, mode: 'apply' });
    expect(report.totals).toMatchObject({ read: 2, created: 1, unchanged: 1 });
    const checkpoint = openCheckpointForReading(String(options.checkpoint));
    const runs = checkpoint.history.listRuns();
    checkpoint.close();
    expect(runs.map((run) => run.runId)).toContain(report.runId);
    const [unreported] = runs.filter((run) => run.runId !== report.runId);
    expect(unreported).toBeDefined();
    expect(fs.existsSync(path.join('reports', String(unreported?.runId)))).toBe(false);
  });

  it('refuses what is no customer record, an option it does not take, and missing credentials, before any request', async () => {
    const before = requests();
    const nested = { primaryEmail: 'kim@example.com', firstName: { first: 'Kim' } } as unknown as CustomerRecord;
    await expect(ensureCustomers([nested], options)).rejects.toThrow(
      'customers[0].firstName must be text, a number or true/false (null for no value), not an object',
    );
    await expect(ensureCustomers(['kim@example.com' as unknown as CustomerRecord], options)).rejects.toThrow(
      'customers[0] must be an object of field names and values, not a string',
    );
    await expect(ensureCustomers([ann], { ...options, mode: 'upsert' } as EnsureCustomersOptions)).rejects.toThrow(
      'ensureCustomers does not take the option "mode", which syncFile has',
    );
    await expect(ensureCustomers([ann], { ...options, bacth: 5 } as EnsureCustomersOptions)).rejects.toThrow(
      'ensureCustomers has no option "bacth" (did you mean batch?)',
    );
    await expect(ensureCustomers([ann], { ...options, password: 'x' } as EnsureCustomersOptions)).rejects.toThrow(
      'ensureCustomers takes no credential among its options: pass them as `credentials`, or in FLUENT_* env variables',
    );
    await expect(ensureCustomers([ann], { ...options, rate: 0 })).rejects.toThrow(/^options\.rate must be/);
    await expect(ensureCustomers([ann], { ...options, credentials: undefined })).rejects.toThrow(
      /no Fluent credentials/,
    );
    const error = await ensureCustomers([ann], { ...options, retailerId: 'one' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect(requests()).toBe(before);
  });

  it('logs nothing by default; a logger hears the run with every secret masked', async () => {
    const writes = [vi.spyOn(process.stdout, 'write'), vi.spyOn(process.stderr, 'write')];
    await ensureCustomers([{ primaryEmail: 'liv@example.com' }], { ...options, verbose: true });
    for (const write of writes) expect(write).not.toHaveBeenCalled();
    vi.restoreAllMocks();
    const lines: string[] = [];
    const logger = {
      info: (m: string) => lines.push(m),
      warn: (m: string) => lines.push(m),
      debug: (m: string) => lines.push(m),
    };
    await ensureCustomers([{ primaryEmail: 'lou@example.com' }], { ...options, logger, verbose: true });
    expect(lines.some((line) => line.includes('lou@example.com'))).toBe(true);
    const text = lines.join('\n');
    for (const secret of Object.values(credentials)) expect(text).not.toContain(secret);
  });

  it('a signal already aborted stops it as AbortError (exit 3), the checkpoint ready for the next call', async () => {
    const error = await ensureCustomers([{ primaryEmail: 'max@example.com' }], {
      ...options,
      signal: AbortSignal.abort('SIGTERM'),
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AbortError);
    expect((error as AbortError).exitCode).toBe(3);
    const [max] = await ensureCustomers([{ primaryEmail: 'max@example.com' }], options);
    expect(max).toMatchObject({ outcome: 'created', customerId: customer('1_max@example.com')?.id });
  });
});
