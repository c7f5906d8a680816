import { describe, expect, it } from 'vitest';
import yargs from 'yargs';
import { doctor } from '../../src/cli/commands/doctor.js';
import { explain } from '../../src/cli/commands/explain.js';
import { report } from '../../src/cli/commands/report.js';
import { runs } from '../../src/cli/commands/runs.js';
import { sandbox } from '../../src/cli/commands/sandbox.js';
import { sync } from '../../src/cli/commands/sync.js';
import { undo } from '../../src/cli/commands/undo.js';
import { validate } from '../../src/cli/commands/validate.js';
import type { CliCommand } from '../../src/cli/context.js';
import { earlyLogFormat, pickFlags } from '../../src/cli/runOptions.js';

/** yargs' record of the options registered so far (public, but missing from @types/yargs). */
type WithOptions = { getOptions(): { key: Record<string, unknown> } };

/** The flags a command's yargs set-up registers, without yargs' own and the positionals that are no flag too. */
function registeredFlags(command: CliCommand): string[] {
  const positionals = [...command.usage.matchAll(/[<[]([\w-]+)[>\]]/g)].map((m) => m[1]);
  const built = command.build(yargs([])) as unknown as WithOptions;
  return Object.keys(built.getOptions().key).filter(
    (key) => key !== 'help' && key !== 'version' && (!positionals.includes(key) || command.flags.includes(key)),
  );
}

describe('the commands', () => {
  it.each([sync, validate, doctor, runs, report, explain, undo, sandbox].map((c) => [c.usage, c] as const))(
    '%s: the flags its messages name are the flags it takes',
    (_, command) => {
      // runs, report and explain read a job file through FLUENT_CONFIG and accept --config, but do not list it.
      const listed = ['runs', 'report [checkpoint]', 'explain <customer>'].includes(command.usage)
        ? [...command.flags, 'config']
        : command.flags;
      expect(registeredFlags(command).sort()).toEqual([...listed].sort());
    },
  );

  it("validate takes none of sync's network options", () => {
    for (const flag of ['api-host', 'rate', 'concurrency', 'checkpoint', 'sandbox', 'mode', 'dry-run']) {
      expect(validate.flags).not.toContain(flag);
      expect(sync.flags).toContain(flag);
    }
  });
});

describe('pickFlags', () => {
  it('keeps the options typed, by flag name, and drops yargs camelCase twins and other arguments', () => {
    expect(
      pickFlags({ _: ['sync'], $0: 'cs', 'max-error-rate': 0.1, maxErrorRate: 0.1, file: 'a.csv', quiet: undefined }),
    ).toEqual({ 'max-error-rate': 0.1 });
  });
});

describe('earlyLogFormat', () => {
  it.each<[string[], Record<string, string>, 'text' | 'json']>([
    [['sync', '--log-format', 'json'], {}, 'json'],
    [['sync', '--log-format=json'], {}, 'json'],
    [['sync'], { FLUENT_LOG_FORMAT: 'json' }, 'json'],
    [['sync', '--log-format', 'text'], { FLUENT_LOG_FORMAT: 'json' }, 'text'],
    [['sync', '--log-format', 'jsno'], {}, 'text'],
  ])('%j with %j logs as %s before the options are resolved', (argv, env, format) => {
    expect(earlyLogFormat(argv, env)).toBe(format);
  });
});
