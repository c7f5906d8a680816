import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../src/errors.js';
import { resolveOptions } from '../src/options.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-options-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
const jobFile = (name: string, content: unknown) => {
  const file = path.join(dir, 'jobs', name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content));
  return file;
};
const resolve = (flags: Record<string, unknown> = {}, env: Record<string, string> = {}, config?: string) =>
  resolveOptions({
    command: 'sync',
    file: 'customers.csv',
    flags,
    env: { FLUENT_API_HOST: 'https://acme.sandbox.api.fluentretail.com', FLUENT_RETAILER_ID: '1', ...env },
    config,
  });

describe('resolveOptions', () => {
  it('fills every default from SPEC §2', () => {
    const options = resolve();
    expect(options).toMatchObject({
      checkpoint: '.customer-sync/checkpoint.sqlite',
      reportDir: undefined,
      rate: 10,
      concurrency: 8,
      onDuplicate: 'reject',
      usernameTemplate: '{retailerId}_{primaryEmail}',
      maxErrorRate: 0.05,
      keepRuns: 30,
      encoding: 'utf8',
      logFormat: 'text',
      fullCompare: false,
      allowEmpty: false,
      dryRun: false,
    });
  });

  it('layers flag > env > job file > default', () => {
    const config = jobFile('layers.json', { rate: 3, concurrency: 2, 'on-duplicate': 'first' });
    const options = resolve({ rate: 7 }, { FLUENT_RATE: '5', FLUENT_CONCURRENCY: '4' }, config);
    expect(options.rate).toBe(7);
    expect(options.concurrency).toBe(4);
    expect(options.onDuplicate).toBe('first');
    expect(options.keepRuns).toBe(30);
  });

  it('reads FLUENT_CONFIG, camelCase keys, and paths relative to the job file', () => {
    const config = jobFile('camel.json', { maxErrorRate: 0.2, mapping: '../mapping.json', dryRun: true });
    const options = resolve({}, { FLUENT_CONFIG: config });
    expect(options.maxErrorRate).toBe(0.2);
    expect(options.dryRun).toBe(true);
    expect(options.mapping).toBe(path.join(dir, 'mapping.json'));
  });

  it('reads booleans from env as people write them', () => {
    expect(resolve({}, { FLUENT_DRY_RUN: 'yes', FLUENT_FULL_COMPARE: '1' })).toMatchObject({
      dryRun: true,
      fullCompare: true,
    });
    expect(() => resolve({}, { FLUENT_DRY_RUN: 'maybe' })).toThrow(/FLUENT_DRY_RUN must be true or false/);
  });

  it('keeps credentials out of the options object', () => {
    const options = resolve({}, { FLUENT_CLIENT_SECRET: 'hush-1234', FLUENT_PASSWORD: 'hush-5678' });
    expect(JSON.stringify(options)).not.toMatch(/hush/);
  });

  it.each([
    [{ rate: -5 }, /--rate must be .* above 0/],
    [{ rate: 'fast' }, /--rate must be a number/],
    [{ concurrency: 1.5 }, /--concurrency must be a whole number/],
    [{ 'max-error-rate': 2 }, /--max-error-rate must be a share between 0 and 1/],
    [{ shard: '4/3' }, /--shard must be K\/N/],
    [{ shard: '0/3' }, /--shard must be K\/N/],
    [{ shard: 'two' }, /--shard must be K\/N/],
    [{ 'on-duplicate': 'newest' }, /--on-duplicate must be one of reject, first, last/],
    [{ 'default-country': 'XX' }, /--default-country must be an ISO 3166 alpha-2 code/],
    [{ encoding: 'klingon' }, /--encoding "klingon" is not an encoding/],
    [{ 'api-host': 'acme.example' }, /--api-host "acme.example" is not a URL/],
    [{ 'api-host': 'https://user:pw@acme.example' }, /must not carry credentials/],
  ])('refuses %j with a message naming the option', (flags, message) => {
    expect(() => resolve(flags)).toThrow(UsageError);
    expect(() => resolve(flags)).toThrow(message);
  });

  it('names the source of a bad value that came from env or a job file', () => {
    expect(() => resolve({}, { FLUENT_RATE: '0' })).toThrow(/FLUENT_RATE/);
    expect(() => resolve({}, {}, jobFile('bad-rate.json', { rate: 'x' }))).toThrow(
      /bad-rate\.json: rate must be a number/,
    );
  });

  it('refuses job files it cannot use, naming them', () => {
    expect(() => resolve({}, {}, path.join(dir, 'missing.json'))).toThrow(/job file .*missing\.json cannot be read/);
    expect(() => resolve({}, {}, jobFile('broken.json', '{"rate": '))).toThrow(/broken\.json is not valid JSON/);
    expect(() => resolve({}, {}, jobFile('list.json', [1, 2]))).toThrow(/must hold a JSON object/);
    expect(() => resolve({}, {}, jobFile('typo.json', { retailer: '1' }))).toThrow(/unknown option "retailer"/);
  });

  it('needs an OMS and a retailer to sync, but not to validate', () => {
    const bare = { command: 'sync' as const, file: 'x.csv', flags: {}, env: {} };
    expect(() => resolveOptions(bare)).toThrow(/--api-host .* or --sandbox/);
    expect(() => resolveOptions({ ...bare, flags: { sandbox: true } })).toThrow(/--retailer-id/);
    expect(resolveOptions({ ...bare, command: 'validate' }).retailerId).toBeUndefined();
  });
});
