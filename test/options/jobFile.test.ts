import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readJobFile } from '../../src/options/index.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-job-file-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
let counter = 0;
const job = (content: string) => {
  const file = path.join(dir, `job-${++counter}.json`);
  fs.writeFileSync(file, content);
  return file;
};

describe('readJobFile', () => {
  it('reads option names and their camelCase, ignores $schema, other $ keys and description', () => {
    const file = job(
      JSON.stringify({
        $schema: '../docs/job-file.schema.json',
        $comment: 'for people',
        description: 'nightly',
        'retailer-id': '1',
        maxErrorRate: 0.2,
        dryRun: 'yes',
        rate: 'auto',
        batch: '5',
      }),
    );
    expect(readJobFile(file)).toEqual({
      'retailer-id': '1',
      'max-error-rate': 0.2,
      'dry-run': 'yes',
      rate: 'auto',
      batch: '5',
    });
  });

  it('takes relative paths from its own folder', () => {
    const file = job('{"mapping": "m.json", "checkpoint": "/var/lib/c.sqlite", "sandbox-seed": "../seed.json"}');
    expect(readJobFile(file)).toEqual({
      mapping: path.join(dir, 'm.json'),
      checkpoint: '/var/lib/c.sqlite',
      'sandbox-seed': path.resolve(dir, '../seed.json'),
    });
  });

  it.each([
    ['{"rate": [1]}', ': rate must be a number of requests per second from 0.01 to 10000 (or auto), got "1"'],
    ['{"mode": "insert"}', ': mode must be one of upsert, create-only, update-only, got "insert"'],
    ['{"log-format": "jsno"}', ': log-format must be one of text, json, got "jsno" (did you mean json?)'],
    ['{"dry-run": null}', ': dry-run must be true or false, got "null"'],
    ['{"redact": 1}', ': redact must be true or false, got a number'],
    ['{"mapping": {"file": "m.json"}}', ': mapping must be a non-empty text'],
    ['{"mapping": 5}', ': mapping must be text, got a number'],
    ['{"notify-url": ["https://hooks.example.com/T0/secret"]}', ': notify-url must be an http:// or https:// URL'],
    ['{"description": 5}', ': "description" must be text'],
  ])('refuses %s in one line, worded as for a flag', (content, message) => {
    const file = job(content);
    const text = usageErrorMessage(() => readJobFile(file));
    expect(text).toContain(message);
    expect(text).toMatch(new RegExp(`^(job file )?${file}`));
    expect(text).not.toContain('secret');
  });

  it('tells of an unknown option before a wrong value, with the option it most likely meant', () => {
    const file = job('{"rate": [1], "concurency": 4}');
    expect(usageErrorMessage(() => readJobFile(file))).toBe(
      `job file ${file} has an unknown option "concurency"; did you mean "concurrency"?`,
    );
  });
});
