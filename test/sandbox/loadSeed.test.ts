import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadSeed } from '../../src/sandbox/loadSeed.js';
import { startSandbox } from '../../src/sandbox/startSandbox.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'sandbox-seed-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function seedFile(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

const messageOf = usageErrorMessage;

describe('loadSeed', () => {
  it('reads customers with retailerId, accepting a numeric retailerId', async () => {
    const file = seedFile(
      'good.json',
      JSON.stringify([
        { retailerId: 1, username: 'jane', firstName: 'Jane', promotionOptIn: true, createdOn: 'ignored' },
        { retailerId: '2', username: 'jane', id: '10', status: 'INACTIVE' },
      ]),
    );
    const seed = loadSeed(file);
    expect(seed).toEqual([
      { retailerId: '1', username: 'jane', firstName: 'Jane', promotionOptIn: true },
      { retailerId: '2', username: 'jane', id: '10', status: 'INACTIVE' },
    ]);
    const sandbox = await startSandbox({ seed });
    try {
      expect(sandbox.customers().map((customer) => [customer.id, customer.retailerId, customer.status])).toEqual([
        ['1', '1', 'ACTIVE'],
        ['10', '2', 'INACTIVE'],
      ]);
    } finally {
      await sandbox.close();
    }
  });

  it('names the file and the problem', () => {
    const missing = path.join(dir, 'missing.json');
    expect(messageOf(() => loadSeed(missing))).toBe(`seed file ${missing} cannot be read: no such file`);
    const notJson = seedFile('bad.json', '[{"username": ');
    expect(messageOf(() => loadSeed(notJson))).toMatch(new RegExp(`^seed file ${notJson} is not valid JSON`));
    const notArray = seedFile('object.json', '{"username": "jane"}');
    expect(messageOf(() => loadSeed(notArray))).toBe(`seed file ${notArray} must hold a JSON array of customers`);
    const noRetailer = seedFile('no-retailer.json', '[{"retailerId": "1", "username": "a"}, {"username": "b"}]');
    expect(messageOf(() => loadSeed(noRetailer))).toBe(`seed file ${noRetailer}, entry 2 lacks retailerId`);
    const noUsername = seedFile('no-username.json', '[{"retailerId": "1"}]');
    expect(messageOf(() => loadSeed(noUsername))).toBe(`seed file ${noUsername}, entry 1 lacks username`);
  });

  it('refuses wrong types, unknown fields and repeated usernames', () => {
    const cases: [string, RegExp][] = [
      ['[{"retailerId": "1", "username": "a", "promotionOptIn": "yes"}]', /promotionOptIn must be true or false/],
      ['[{"retailerId": "1", "username": "a", "firstName": 3}]', /firstName must be a string/],
      ['[{"retailerId": "1", "username": "a", "firstname": "x"}]', /unknown field\(s\): firstname/],
      ['[{"retailerId": "1", "username": "a", "id": "x1"}]', /id must be a number/],
      ['[{"retailerId": "1", "username": "a", "id": "90071992547409930"}]', /id must be at most 9007199254740991/],
      ['[{"retailerId": "1", "username": "a"}, {"retailerId": "1", "username": "a"}]', /entry 2: username 'a' repeats/],
    ];
    for (const [text, expected] of cases) {
      expect(messageOf(() => loadSeed(seedFile('case.json', text)))).toMatch(expected);
    }
  });
});

describe('loadSeed: entries', () => {
  it.each<[string, string]>([
    ['[1]', 'entry 1 is not an object'],
    ['[{"retailerId": "1", "username": "a"}, [2]]', 'entry 2 is not an object'],
    ['[{"retailerId": "1", "username": "a", "nick": "x", "age": 3}]', 'entry 1 has unknown field(s): nick, age'],
    ['[{"retailerId": true, "username": "a"}]', 'entry 1 lacks retailerId'],
    ['[{"retailerId": "1", "username": "a", "id": -1}]', 'entry 1: id must be a number'],
    [
      '[{"retailerId": "1", "username": "a", "id": 5}, {"retailerId": "1", "username": "b", "id": "5"}]',
      'entry 2: id 5 is used twice',
    ],
  ])('refuses %s naming the entry', (text, message) => {
    const file = seedFile('entries.json', text);
    expect(messageOf(() => loadSeed(file))).toBe(`seed file ${file}, ${message}`);
  });

  it('takes null for a field as no value, and a dump’s createdOn and updatedOn', () => {
    const file = seedFile(
      'dump.json',
      '[{"retailerId": 2, "username": "a", "firstName": null, "promotionOptIn": null, "id": 12, "updatedOn": "x"}]',
    );
    expect(loadSeed(file)).toEqual([{ retailerId: '2', username: 'a', id: '12' }]);
  });
});
