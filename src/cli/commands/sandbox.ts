import type { Argv } from 'yargs';
import { UsageError } from '../../errors.js';
import { SANDBOX_LIMIT_FLAGS } from '../../sandbox/parseLimitFlags.js';
import { SANDBOX_VARIANT_FLAGS } from '../../sandbox/sandboxVariantFlags.js';
import type { CliCommand } from '../context.js';

/** Fault flags of `customer-sync sandbox`, by the SandboxFaults field they set. */
const FAULT_FLAGS = {
  latency: { key: 'latencyMs', type: 'number', describe: 'ms added before every response' },
  'rate-limit': { key: 'rateLimitPerSecond', type: 'number', describe: 'GraphQL requests/s above which 429s come' },
  'retry-after': { key: 'retryAfterSeconds', type: 'number', describe: 'Retry-After seconds on 429s (default 1)' },
  'fail-429': { key: 'random429Rate', type: 'number', describe: 'share of GraphQL requests answered 429' },
  'fail-5xx': { key: 'random5xxRate', type: 'number', describe: 'share answered 5xx before executing' },
  'fail-5xx-after-commit': {
    key: 'random5xxAfterCommitRate',
    type: 'number',
    describe: 'share of mutations applied, then answered 5xx',
  },
  'cut-after-commit': {
    key: 'cutAfterCommitRate',
    type: 'number',
    describe: 'share of mutations applied, then the connection cut',
  },
  'refuse-mutation': {
    key: 'refuseMutationRate',
    type: 'number',
    describe: 'share of mutations refused with a GraphQL error (a data rule)',
  },
  'token-lifetime': { key: 'tokenLifetimeSeconds', type: 'number', describe: 'seconds a token lives (default 3600)' },
  'refresh-tokens': { key: 'issueRefreshTokens', type: 'boolean', describe: 'issue refresh tokens with grants' },
  'fault-seed': { key: 'seed', type: 'number', describe: 'seed of the fault sequence (repeatable runs)' },
} as const;

/** The flags of `customer-sync sandbox` besides its fault flags. */
const SANDBOX_FLAGS = [
  'port',
  'seed',
  'retailers',
  'login-scope',
  'missing-permission',
  'lookup-match',
  'unique-ci',
  'rate-limit-as-error',
  ...Object.keys(SANDBOX_VARIANT_FLAGS),
  ...Object.keys(SANDBOX_LIMIT_FLAGS),
];

/** `sandbox`: a local Fluent-compatible OMS, until the process is stopped. */
export const sandbox: CliCommand = {
  usage: 'sandbox',
  describe: 'serve a local Fluent-compatible OMS for trying the tool and for tests',
  flags: [...SANDBOX_FLAGS, ...Object.keys(FAULT_FLAGS)],
  build: withSandboxOptions,
  async run(args, cli) {
    // Loaded on demand, like the Fluent client: sync and validate start faster without graphql-js.
    const { parseFaults } = await import('../../sandbox/parseFaults.js');
    const faults = parseFaults(
      Object.fromEntries(
        Object.entries(FAULT_FLAGS)
          .filter(([flag]) => args[flag] !== undefined)
          .map(([flag, spec]) => [spec.key, args[flag]]),
      ),
    );
    if (!faults.ok) {
      // parseFaults names settings by their field; a person typed the flag.
      const message = Object.entries(FAULT_FLAGS).reduce(
        (m, [flag, spec]) => m.replace(spec.key, `--${flag}`),
        faults.message,
      );
      throw new UsageError(`sandbox: ${message}`);
    }
    const { loadSeed } = await import('../../sandbox/loadSeed.js');
    const { parseSandboxFlags } = await import('../../sandbox/parseSandboxFlags.js');
    const { readSandboxCredentials } = await import('../../sandbox/readSandboxCredentials.js');
    const { parseLimitFlags } = await import('../../sandbox/parseLimitFlags.js');
    const { serveSandbox } = await import('../../sandbox/serveSandbox.js');
    await serveSandbox({
      port: args.port as number,
      seed: typeof args.seed === 'string' ? loadSeed(args.seed) : undefined,
      credentials: readSandboxCredentials(cli.env),
      faults: faults.faults,
      ...parseSandboxFlags(args),
      ...parseLimitFlags(args, cli.argv),
      out: cli.out,
    });
    return 0;
  },
};

function withSandboxOptions<T>(y: Argv<T>): Argv<T> {
  let out = y
    .option('port', { type: 'number', default: 0, describe: 'port to listen on (0 = any free port)' })
    .option('seed', { type: 'string', describe: 'JSON array of customers (Customer fields plus retailerId)' });
  for (const [flag, spec] of Object.entries(FAULT_FLAGS)) {
    out = out.option(flag, { type: spec.type, describe: `fault: ${spec.describe}` }) as typeof out;
  }
  for (const [flag, spec] of Object.entries(SANDBOX_VARIANT_FLAGS)) {
    out = out.option(flag, { ...spec, choices: 'choices' in spec ? [...spec.choices] : undefined }) as typeof out;
  }
  for (const [flag, spec] of Object.entries(SANDBOX_LIMIT_FLAGS)) {
    out = out.option(flag, { ...spec, choices: 'choices' in spec ? [...spec.choices] : undefined }) as typeof out;
  }
  // How strict the account is (SPEC §6): each makes the sandbox behave as some real Fluent account may.
  return out
    .option('retailers', {
      type: 'string',
      requiresArg: true,
      describe: 'retailer ids that exist, comma-separated (default 1,2,3; the seed adds its own)',
    })
    .option('login-scope', {
      type: 'string',
      requiresArg: true,
      describe: "where the login's customer role holds: account (default) or retailer:ID",
    })
    .option('missing-permission', {
      type: 'string',
      array: true,
      requiresArg: true,
      describe: 'a permission the login lacks (repeatable); what needs it fails with C0020E',
    })
    .option('lookup-match', {
      type: 'string',
      choices: ['exact', 'ci', 'like'],
      describe: 'how customers(username:, ref:) match: exact (default), ci (any case), like (SQL LIKE)',
    })
    .option('unique-ci', { type: 'boolean', describe: 'refuse a case variant of a username of the same retailer' })
    .option('rate-limit-as-error', {
      type: 'boolean',
      describe: 'answer rate limiting as HTTP 200 with a C0011E error instead of 429',
    }) as unknown as Argv<T>;
}
