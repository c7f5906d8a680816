import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../src/sandbox/startSandbox.js';
import { runCli, TEST_CREDENTIALS } from '../helpers/runCli.js';
import { makeWorkspace } from '../helpers/workspace.js';

/** Bad files and bad flags: exit 2, one clear line naming the problem, no stack trace, and not one request. */
describe('bad input', () => {
  const ws = makeWorkspace();
  let sandbox: Sandbox;
  beforeAll(async () => {
    sandbox = await startSandbox();
  });
  afterAll(async () => {
    await sandbox.close();
    ws.remove();
  });

  const good = () => ws.write('good.csv', 'primaryEmail,firstName\nann@example.com,Ann\n');
  const syncInto = (reportDir: string, file: string, ...extra: string[]) =>
    runCli(['sync', file, '--checkpoint', ws.path('cp.sqlite'), '--report-dir', reportDir, ...extra], {
      env: { ...TEST_CREDENTIALS, FLUENT_API_HOST: sandbox.url, FLUENT_RETAILER_ID: '1' },
    });
  const sync = (file: string, ...extra: string[]) => syncInto(ws.path('report'), file, ...extra);

  const cases: [string, () => Promise<Awaited<ReturnType<typeof sync>>>, RegExp][] = [
    ['a missing file', () => sync(ws.path('nope.csv')), /nope\.csv.*(no such file|not found|does not exist)/i],
    ['an empty file', () => sync(ws.write('empty.csv', '')), /empty\.csv.*(empty|no header)/i],
    ['a header and no rows', () => sync(ws.write('header.csv', 'primaryEmail,firstName\n')), /no rows.*--allow-empty/],
    [
      'no email and no username column',
      () => sync(ws.write('noemail.csv', 'firstName,lastName\nAnn,Lee\n')),
      /no email column and no username column/,
    ],
    [
      'an unreadable mapping file',
      () => sync(good(), '--mapping', ws.path('missing-mapping.json')),
      /missing-mapping\.json/,
    ],
    [
      'a mapping file that is not JSON',
      () => sync(good(), '--mapping', ws.write('bad-mapping.json', '{"columns": ')),
      /bad-mapping\.json.*JSON/,
    ],
    [
      'a binary file',
      () => sync(ws.write('garbage.csv', Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 1, 2, 3]))),
      /binary/,
    ],
    ['a negative --rate', () => sync(good(), '--rate', '-5'), /--rate/],
    ['--shard 4/3', () => sync(good(), '--shard', '4/3'), /--shard.*K\/N/],
    ['--shard 0/3', () => sync(good(), '--shard', '0/3'), /--shard.*K\/N/],
    ['an unknown flag', () => sync(good(), '--bogus-flag'), /bogus-flag/i],
    [
      'a report folder that cannot be created',
      () => syncInto(path.join(good(), 'sub'), good()),
      /cannot create the report folder .*good\.csv\/sub: a part of the path is a file/,
    ],
    ['an unknown job file', () => sync(good(), '--config', ws.path('jobs', 'nightly.json')), /nightly\.json/],
  ];

  it.each(cases)('%s exits 2 with one line and sends nothing', async (_name, run, message) => {
    const before = sandbox.stats().requests;
    const result = await run();
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/\s+at .*\.js:\d+/);
    expect(sandbox.stats().requests).toBe(before);
  });

  it('a header-only file is a normal empty run with --allow-empty', async () => {
    const result = await sync(ws.write('header2.csv', 'primaryEmail,firstName\n'), '--allow-empty');
    expect(result.code).toBe(0);
  });
});
