import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { resolveOptions, VALIDATE_OPTIONS } from '../../src/options/index.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

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
      mode: 'upsert',
      limit: undefined,
    });
  });

  it('reads --allow-formula-values from any source, off by default, and validate takes it', () => {
    expect(resolve().allowFormulaValues).toBe(false);
    expect(resolve({ 'allow-formula-values': true }).allowFormulaValues).toBe(true);
    expect(resolve({}, { FLUENT_ALLOW_FORMULA_VALUES: 'true' }).allowFormulaValues).toBe(true);
    expect(VALIDATE_OPTIONS).toContain('allow-formula-values');
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

  it('reads a job file saved with a byte order mark, as mapping and seed files are read', () => {
    const file = path.join(dir, 'bom.json');
    fs.writeFileSync(file, `\uFEFF${JSON.stringify({ 'max-error-rate': 0.3 })}`);
    expect(resolve({}, {}, file).maxErrorRate).toBe(0.3);
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
    [{ rate: -5 }, /--rate must be .* from 0.01 to 10000/],
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

  it.each<[Record<string, unknown>, Record<string, string>, string]>([
    [{ rate: 'fast' }, {}, '--rate must be a number of requests per second from 0.01 to 10000 (or auto), got "fast"'],
    [{ rate: 0 }, {}, '--rate must be a number of requests per second from 0.01 to 10000 (or auto), got "0"'],
    [{}, { FLUENT_CONCURRENCY: 'lots' }, 'FLUENT_CONCURRENCY must be a whole number from 1 to 1000, got "lots"'],
    [{ 'on-duplicate': 'keep' }, {}, '--on-duplicate must be one of reject, first, last, got "keep"'],
    [{ 'log-format': 'jsno' }, {}, '--log-format must be one of text, json, got "jsno" (did you mean json?)'],
    [{ mode: 'insert' }, {}, '--mode must be one of upsert, create-only, update-only, got "insert"'],
    [
      { mode: 'updateonly' },
      {},
      '--mode must be one of upsert, create-only, update-only, got "updateonly" (did you mean update-only?)',
    ],
    [{ limit: 0 }, {}, '--limit must be a whole number of rows from 1 to 9007199254740991, got "0"'],
    [{ limit: '10 rows' }, {}, '--limit must be a whole number of rows from 1 to 9007199254740991, got "10 rows"'],
    [{ limit: 2.5 }, {}, '--limit must be a whole number of rows from 1 to 9007199254740991, got "2.5"'],
    [{ 'dry-run': 'perhaps' }, {}, '--dry-run must be true or false, got "perhaps"'],
  ])('says in one line what %j %j gave and what is allowed', (flags, env, message) => {
    expect(usageErrorMessage(() => resolve(flags, env))).toBe(message);
  });

  it('reads --mode and --limit from any source', () => {
    expect(resolve({ mode: 'create-only', limit: 25 })).toMatchObject({ mode: 'create-only', limit: 25 });
    expect(resolve({}, { FLUENT_MODE: 'update-only', FLUENT_LIMIT: '100' })).toMatchObject({
      mode: 'update-only',
      limit: 100,
    });
    const config = jobFile('sample.json', { mode: 'create-only', limit: 5 });
    expect(resolve({}, {}, config)).toMatchObject({ mode: 'create-only', limit: 5 });
  });

  it.each<[Record<string, unknown>, Record<string, string>, string | undefined, string]>([
    [
      { sandbox: true },
      {},
      undefined,
      '--sandbox and FLUENT_API_HOST cannot be used together: --sandbox runs against an in-process OMS, not a host; drop one of them',
    ],
    [{ 'api-host': 'https://a.example.com' }, { FLUENT_SANDBOX: 'true' }, undefined, '--api-host and FLUENT_API_HOST'],
    [{}, { FLUENT_SANDBOX: '1' }, undefined, 'FLUENT_SANDBOX and FLUENT_API_HOST cannot be used together'],
    [
      { verbose: true },
      { FLUENT_QUIET: 'yes' },
      undefined,
      '--verbose and FLUENT_QUIET cannot be used together: pick one',
    ],
  ])('refuses options that contradict each other, naming both: %j %j', (flags, env, config, message) => {
    const text = usageErrorMessage(() => resolve(flags, env, config));
    if (message.startsWith('--api-host')) {
      // The flag beats the env for the host, so the clash is between the env's --sandbox and the flag's host.
      expect(text).toBe(
        'FLUENT_SANDBOX and --api-host cannot be used together: --sandbox runs against an in-process OMS, not a host; drop one of them',
      );
    } else {
      expect(text).toContain(message);
    }
  });

  it('refuses --sandbox with an api-host from a job file too', () => {
    const config = jobFile('prod.json', { 'api-host': 'https://acme.api.fluentretail.com' });
    const bare = { command: 'sync' as const, file: 'x.csv', flags: { sandbox: true, 'retailer-id': '1' }, env: {} };
    expect(usageErrorMessage(() => resolveOptions({ ...bare, config }))).toBe(
      `--sandbox and ${config}: api-host cannot be used together: --sandbox runs against an in-process OMS, not a host; drop one of them`,
    );
    // validate sends nothing, so a shared job file naming a host does not stop it.
    expect(resolveOptions({ ...bare, command: 'validate', config }).sandbox).toBe(true);
  });

  it.each([
    ['https://acme.api.fluentretail.com/graphql', 'https://acme.api.fluentretail.com'],
    ['https://acme.api.fluentretail.com/graphql/', 'https://acme.api.fluentretail.com'],
    ['https://acme.api.fluentretail.com/oauth/token', 'https://acme.api.fluentretail.com'],
    ['https://proxy.example.com/fluent/GraphQL', 'https://proxy.example.com/fluent'],
  ])('corrects an --api-host copied with an endpoint on it (%s), warning once', (given, used) => {
    const warnings: string[] = [];
    const options = resolveOptions({
      command: 'sync',
      file: 'x.csv',
      flags: { 'api-host': given, 'retailer-id': '1' },
      env: {},
      warn: (message) => warnings.push(message),
    });
    expect(options.apiHost).toBe(used);
    expect(warnings).toEqual([`--api-host ends in an endpoint the tool adds itself; using ${used}`]);
  });

  it('keeps another path of --api-host as a prefix, without a warning', () => {
    const warnings: string[] = [];
    const flags = { 'api-host': 'https://proxy.example.com/fluent/', 'retailer-id': '1' };
    const options = resolveOptions({ command: 'sync', file: 'x.csv', flags, env: {}, warn: (m) => warnings.push(m) });
    expect(options.apiHost).toBe('https://proxy.example.com/fluent');
    expect(warnings).toEqual([]);
  });

  it('refuses an --api-host with a query, saying which URL to use', () => {
    expect(usageErrorMessage(() => resolve({ 'api-host': 'https://acme.example.com/graphql?x=1' }))).toBe(
      "--api-host must be the account's base URL without ?query or #fragment; use https://acme.example.com",
    );
  });

  it('suggests the option a mistyped job-file key meant', () => {
    const config = jobFile('typos.json', { retailerid: '1' });
    expect(usageErrorMessage(() => resolve({}, {}, config))).toBe(
      `job file ${config} has an unknown option "retailerid"; did you mean "retailer-id"?`,
    );
    const camel = jobFile('camel-typo.json', { maxErorRate: 0.1 });
    expect(usageErrorMessage(() => resolve({}, {}, camel))).toMatch(/did you mean "max-error-rate"\?$/);
  });
});

describe('number options are held to what the code can store', () => {
  it.each<[Record<string, unknown>, Record<string, string>, string]>([
    [{ 'keep-runs': 1e300 }, {}, '--keep-runs must be a whole number from 1 to 100000, got "1e+300"'],
    [{}, { FLUENT_KEEP_RUNS: '1e300' }, 'FLUENT_KEEP_RUNS must be a whole number from 1 to 100000, got "1e300"'],
    [{ 'keep-runs': 100_001 }, {}, '--keep-runs must be a whole number from 1 to 100000, got "100001"'],
    [
      { limit: 2 ** 53 },
      {},
      '--limit must be a whole number of rows from 1 to 9007199254740991, got "9007199254740992"',
    ],
    [{ concurrency: 1e300 }, {}, '--concurrency must be a whole number from 1 to 1000, got "1e+300"'],
    [{ concurrency: 1001 }, {}, '--concurrency must be a whole number from 1 to 1000, got "1001"'],
    [{ batch: 1e21 }, {}, '--batch must be a whole number from 1 to 50, got "1e+21"'],
    [{ batch: 0 }, {}, '--batch must be a whole number from 1 to 50, got "0"'],
    [{ batch: 2.5 }, {}, '--batch must be a whole number from 1 to 50, got "2.5"'],
    [{}, { FLUENT_BATCH: '0x10' }, 'FLUENT_BATCH must be a whole number from 1 to 50, got "0x10"'],
    [{ rate: 1e300 }, {}, '--rate must be a number of requests per second from 0.01 to 10000 (or auto), got "1e+300"'],
    [{ rate: 1e-9 }, {}, '--rate must be a number of requests per second from 0.01 to 10000 (or auto), got "1e-9"'],
    [
      {},
      { FLUENT_RATE: 'Infinity' },
      'FLUENT_RATE must be a number of requests per second from 0.01 to 10000 (or auto), got "Infinity"',
    ],
    [{ 'max-error-rate': -0.1 }, {}, '--max-error-rate must be a share between 0 and 1 (0.05 = 5%), got "-0.1"'],
    [{ 'max-error-rate': 'NaN' }, {}, '--max-error-rate must be a share between 0 and 1 (0.05 = 5%), got "NaN"'],
    [
      { shard: '1/99999999999999999999' },
      {},
      '--shard must be K/N with 1 <= K <= N <= 10000 (e.g. 2/4), got "1/99999999999999999999"',
    ],
    [{ shard: '3/10001' }, {}, '--shard must be K/N with 1 <= K <= N <= 10000 (e.g. 2/4), got "3/10001"'],
  ])('refuses %j %j before any request', (flags, env, message) => {
    expect(usageErrorMessage(() => resolve(flags, env))).toBe(message);
  });

  it('takes the ends of every range', () => {
    expect(
      resolve({
        'keep-runs': 100_000,
        concurrency: 1000,
        batch: 50,
        rate: 0.01,
        limit: 2 ** 53 - 1,
        shard: '10000/10000',
      }),
    ).toMatchObject({ keepRuns: 100_000, concurrency: 1000, batch: 50, rate: 0.01, limit: 2 ** 53 - 1 });
    expect(resolve({}, { FLUENT_RATE: '10000', FLUENT_MAX_ERROR_RATE: '1', FLUENT_KEEP_RUNS: '1' })).toMatchObject({
      rate: 10_000,
      maxErrorRate: 1,
      keepRuns: 1,
    });
  });

  it('refuses a job-file number JSON cannot hold as written, naming the key, instead of rounding it', () => {
    const config = jobFile('long-id.json', '{"retailer-id": 1234567890123456789, "rate": 5}');
    expect(usageErrorMessage(() => resolve({}, {}, config))).toBe(
      `job file ${config}: "retailer-id" is 1234567890123456789, a number JSON cannot hold as written (it would read as 1234567890123456800); write it in quotes: "1234567890123456789"`,
    );
    const huge = jobFile('huge.json', '{"keep-runs": 1e400}');
    expect(usageErrorMessage(() => resolve({}, {}, huge))).toMatch(/"keep-runs" is 1e400, .*would read as Infinity/);
    // Written as text, the long id is kept exactly; a short number is read as the id it is.
    const noEnvId = { FLUENT_RETAILER_ID: '' };
    expect(resolve({}, noEnvId, jobFile('text-id.json', '{"retailer-id": "1234567890123456789"}')).retailerId).toBe(
      '1234567890123456789',
    );
    expect(resolve({}, noEnvId, jobFile('number-id.json', '{"retailer-id": 42}')).retailerId).toBe('42');
  });
});
