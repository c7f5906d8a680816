import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PROJECT_ROOT } from '../helpers/runCli.js';

/**
 * The package as a user gets it (SPEC §7): `npm pack`ed, installed into a project of its own, imported by name from
 * TypeScript (its declarations checked by tsc, strict, without skipLibCheck) and from plain ESM JavaScript, run against
 * its own sandbox. Offline and fast: the tarball is packed from the dist/ the suite's global setup built; the
 * project's node_modules holds this project's production dependencies, hard-linked (copied across file systems), so
 * npm fetches nothing (its cache is a new, empty folder) and better-sqlite3 is not built again.
 */
describe('the npm package', () => {
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'cs-package-'));
  const consumer = path.join(work, 'consumer');
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  it('packs, installs offline with nothing built, and is imported by name from TypeScript and from ESM', () => {
    const started = Date.now();
    const [packed] = JSON.parse(
      npm(['pack', '--ignore-scripts', '--json', '--pack-destination', work], PROJECT_ROOT),
    ) as { filename: string; files: { path: string }[] }[];
    const files = (packed?.files ?? []).map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'dist/cli/main.js',
        'bin/customer-sync',
        'scripts/prepare.mjs',
        'fixtures/fluent-customer-schema.graphql',
        'fixtures/fluent-access-schema.graphql',
        'package.json',
      ]),
    );
    expect(files.filter((f) => /^(src|test|node_modules)\//.test(f) || f.endsWith('.sqlite'))).toEqual([]);
    // The internal overloads of the command line are not part of the declarations.
    expect(fs.readFileSync(path.join(PROJECT_ROOT, 'dist/api/syncFile.d.ts'), 'utf8')).not.toContain('CommandLine');

    fs.mkdirSync(path.join(consumer, 'node_modules', '.bin'), { recursive: true });
    fs.writeFileSync(
      path.join(consumer, 'package.json'),
      JSON.stringify({ name: 'order-import', private: true, type: 'module' }),
    );
    for (const dependency of productionDependencies()) linkPackage(dependency, consumer);
    npm(
      ['install', path.join(work, packed?.filename ?? ''), '--no-save', '--offline', '--no-audit', '--no-fund'],
      consumer,
      { npm_config_cache: path.join(work, 'npm-cache') },
    );
    const native = 'node_modules/better-sqlite3/build/Release/better_sqlite3.node';
    expect(fs.statSync(path.join(consumer, native)).mtimeMs).toBe(fs.statSync(path.join(PROJECT_ROOT, native)).mtimeMs);
    const installed = path.join(consumer, 'node_modules/customer-sync');
    expect(fs.existsSync(path.join(installed, 'dist/index.d.ts'))).toBe(true);
    expect(fs.existsSync(path.join(installed, 'src'))).toBe(false);

    // TypeScript: the declarations are checked as a user's project sees them, and they are not `any`.
    for (const name of ['@types/node', 'undici-types']) linkPackage(`node_modules/${name}`, consumer);
    fs.writeFileSync(path.join(consumer, 'tsconfig.json'), JSON.stringify(TSCONFIG));
    fs.writeFileSync(path.join(consumer, 'check.ts'), TYPESCRIPT_USE);
    const tsc = path.join(PROJECT_ROOT, 'node_modules/typescript/bin/tsc');
    expect(run(process.execPath, [tsc, '-p', consumer], consumer)).toBe('');

    // Plain ESM JavaScript, by name, against the package's own sandbox.
    fs.writeFileSync(path.join(consumer, 'customers.csv'), 'email,first_name\nann@example.com,Ann\nnot-an-email,Bob\n');
    fs.writeFileSync(path.join(consumer, 'use.mjs'), ESM_USE);
    const said = JSON.parse(run(process.execPath, ['use.mjs'], consumer)) as Record<string, unknown>;
    expect(said).toEqual({
      ensured: [
        { outcome: 'created', username: '1_ann@example.com', hasId: true },
        { outcome: 'unchanged', username: '1_ann@example.com', hasId: true },
      ],
      validated: { exitCode: 1, outcomes: ['valid', 'rejected'] },
      usageError: { name: 'UsageError', exitCode: 2, isUsageError: true },
    });
    expect(run(path.join(consumer, 'node_modules/.bin/customer-sync'), ['--version'], consumer).trim()).toBe(
      `customer-sync ${readVersion()}`,
    );
    // Offline and quick (about 8 s on an idle machine): a bound that only a fetch or a native build would pass.
    expect(Date.now() - started).toBeLessThan(90_000);
  });
});

const TSCONFIG = {
  compilerOptions: {
    target: 'ES2022',
    module: 'NodeNext',
    moduleResolution: 'NodeNext',
    strict: true,
    noUncheckedIndexedAccess: true,
    // Every declaration file is checked, the package's and @types/node's; TypeScript's own lib files are not.
    skipLibCheck: false,
    skipDefaultLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
  files: ['check.ts'],
};

/** A user's TypeScript: typed results, typed errors, and options the types refuse (each must be an error). */
const TYPESCRIPT_USE = `
import {
  AbortError,
  createSandbox,
  type EnsureResult,
  ensureCustomers,
  type FileRunResult,
  syncFile,
  UsageError,
  validateFile,
} from 'customer-sync';

const sandbox = await createSandbox({ seed: [{ retailerId: '1', username: '1_ann@example.com', primaryEmail: 'ann@example.com' }] });
const ensured: EnsureResult[] = await ensureCustomers([{ primaryEmail: 'ann@example.com', firstName: 'Ann', ORDER_NO: 7 }], {
  apiHost: sandbox.url,
  retailerId: 1,
  rate: 'auto',
  onDuplicate: 'first',
  credentials: { accessToken: 'token' },
  logger: console,
  signal: AbortSignal.timeout(60_000),
});
const id: string | null = ensured[0]?.customerId ?? null;
await sandbox.stop();

const validated: FileRunResult = await validateFile({ file: 'customers.csv', retailerId: '1', limit: 10, phoneExtension: 'drop' });
const exitCode: 0 | 1 = validated.exitCode;
for await (const row of validated.outcomes) {
  const fields: string[] = row.changedFields;
  const customerId: string | null = row.customerId;
  console.log(row.row, row.outcome, fields, customerId);
}
try {
  await syncFile({ file: 'customers.csv', dryRun: true, batch: 5, env: {}, config: 'job.json' });
} catch (error) {
  if (error instanceof UsageError || error instanceof AbortError) {
    const exit: number = error.exitCode;
    console.log(exit, error.message);
  }
}
console.log(id, exitCode);

// @ts-expect-error: validate takes no OMS option
await validateFile({ file: 'customers.csv', apiHost: 'https://example.com' });
// @ts-expect-error: not one of reject, first, last
await syncFile({ file: 'customers.csv', onDuplicate: 'middle' });
// @ts-expect-error: a rate is a number or auto
await syncFile({ file: 'customers.csv', rate: 'fast' });
// @ts-expect-error: credentials are never options
await syncFile({ file: 'customers.csv', password: 'secret' });
// @ts-expect-error: ensureCustomers always creates only
await ensureCustomers([], { mode: 'upsert' });
// @ts-expect-error: a record's field is text, a number or true/false
await ensureCustomers([{ firstName: { given: 'Ann' } }]);
`;

/** A user's plain ESM: the order import's step, a validation, and a refusal as the exported class. */
const ESM_USE = `
import { createSandbox, ensureCustomers, UsageError, validateFile } from 'customer-sync';

const sandbox = await createSandbox();
const options = {
  apiHost: sandbox.url,
  retailerId: 1,
  checkpoint: 'state/checkpoint.sqlite',
  credentials: { clientId: 'id', clientSecret: 'secret', username: 'user', password: 'password' },
  env: {},
};
const ensured = [];
for (let i = 0; i < 2; i++) {
  const [result] = await ensureCustomers([{ primaryEmail: 'Ann@Example.com', firstName: 'Ann' }], options);
  ensured.push({ outcome: result.outcome, username: result.username, hasId: result.customerId === sandbox.customers()[0]?.id });
}
await sandbox.stop();
const validation = await validateFile({ file: 'customers.csv', retailerId: 1, reportDir: 'report', env: {} });
const outcomes = [];
for await (const row of validation.outcomes) outcomes.push(row.outcome);
const error = await validateFile({ file: 'customers.csv', env: {}, rate: 5 }).catch((e) => e);
console.log(JSON.stringify({
  ensured,
  validated: { exitCode: validation.exitCode, outcomes },
  usageError: { name: error.name, exitCode: error.exitCode, isUsageError: error instanceof UsageError },
}));
`;

/** Runs npm with none of the npm_* settings of an npm that may be running this suite (its prefix, its cache). */
function npm(args: string[], cwd: string, extra: Record<string, string> = {}): string {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)));
  return execFileSync('npm', args, {
    cwd,
    env: { ...env, ...extra },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${path.basename(command)} ${args.join(' ')} failed:\n${stdout ?? ''}${stderr ?? ''}`);
  }
}

/** The lock file's production packages installed at the top of node_modules (nested ones come with them). */
function productionDependencies(): string[] {
  const lock = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package-lock.json'), 'utf8')) as {
    packages: Record<string, { dev?: boolean; devOptional?: boolean }>;
  };
  return Object.entries(lock.packages)
    .filter(([at]) => at.startsWith('node_modules/') && at.lastIndexOf('node_modules/') === 0)
    .filter(([at, entry]) => !entry.dev && !entry.devOptional && fs.existsSync(path.join(PROJECT_ROOT, at)))
    .map(([at]) => at);
}

/** `node_modules/NAME` of this project into the consumer's, hard-linked file by file, with its bin links. */
function linkPackage(at: string, consumer: string): void {
  const target = path.join(consumer, at);
  linkTree(path.join(PROJECT_ROOT, at), target);
  const manifest = JSON.parse(fs.readFileSync(path.join(target, 'package.json'), 'utf8')) as {
    name: string;
    bin?: string | Record<string, string>;
  };
  const bins =
    typeof manifest.bin === 'string' ? { [manifest.name.split('/').pop() ?? '']: manifest.bin } : manifest.bin;
  for (const [name, file] of Object.entries(bins ?? {})) {
    fs.symlinkSync(
      path.join('..', at.slice('node_modules/'.length), file),
      path.join(consumer, 'node_modules/.bin', name),
    );
  }
}

function linkTree(from: string, to: string): void {
  fs.mkdirSync(to, { recursive: true });
  for (const entry of fs.readdirSync(from, { withFileTypes: true })) {
    const source = path.join(from, entry.name);
    const target = path.join(to, entry.name);
    if (entry.isDirectory()) linkTree(source, target);
    else if (entry.isSymbolicLink()) fs.symlinkSync(fs.readlinkSync(source), target);
    else {
      try {
        fs.linkSync(source, target);
      } catch {
        fs.copyFileSync(source, target);
        fs.utimesSync(target, fs.statSync(source).atime, fs.statSync(source).mtime);
      }
    }
  }
}

function readVersion(): string {
  return (JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
