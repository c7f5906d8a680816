import { describe, expect, it } from 'vitest';
import {
  type Command,
  type DoctorOptions,
  type HistoryOptions,
  type ResolvedOptions,
  resolveOptions,
  sliceFields,
  sliceOptions,
  type UndoOptions,
  type ValidateOptions,
} from '../../src/options/index.js';

const env = { FLUENT_API_HOST: 'https://acme.sandbox.api.fluentretail.com', FLUENT_RETAILER_ID: '7' };
const resolve = <C extends Command>(command: C) =>
  resolveOptions({ command, file: command === 'sync' || command === 'validate' ? 'x.csv' : '', flags: {}, env });

describe("each command's slice", () => {
  it.each<[Command, string[]]>([
    [
      'validate',
      [
        'command',
        'file',
        'config',
        'retailerId',
        'mapping',
        'reportDir',
        'onDuplicate',
        'usernameTemplate',
        'defaultCountry',
        'phoneExtension',
        'allowFormulaValues',
        'sheet',
        'shard',
        'allowEmpty',
        'encoding',
        'redact',
        'limit',
        'verbose',
        'quiet',
        'logFormat',
      ],
    ],
    [
      'doctor',
      [
        'command',
        'config',
        'apiHost',
        'retailerId',
        'rate',
        'batch',
        'concurrency',
        'probeRate',
        'allowScopedLogin',
        'sandbox',
        'sandboxSeed',
        'dryRun',
        'verbose',
        'quiet',
        'logFormat',
      ],
    ],
    [
      'undo',
      [
        'command',
        'config',
        'apiHost',
        'retailerId',
        'checkpoint',
        'reportDir',
        'rate',
        'concurrency',
        'redact',
        'keepRuns',
        // An undo's end is announced to the hooks like a sync's.
        'metricsFile',
        'pushgateway',
        'notifyUrl',
        'dryRun',
        'verbose',
        'quiet',
        'logFormat',
      ],
    ],
    ['history', ['command', 'config', 'checkpoint', 'reportDir', 'redact', 'verbose', 'quiet', 'logFormat']],
  ])('%s takes only the options its flags name', (command, fields) => {
    expect(sliceFields(command)).toEqual(fields);
    expect(Object.keys(sliceOptions(resolve(command)))).toEqual(fields);
  });

  it("sync takes every option but doctor's --probe-rate", () => {
    const { probeRate, ...options } = resolve('sync');
    expect(probeRate).toBe(false);
    expect(sliceFields('sync').sort()).toEqual(Object.keys(options).sort());
    expect(sliceOptions(resolve('sync'))).toEqual(options);
  });

  it('keeps the resolved values, frozen', () => {
    const undo: UndoOptions = sliceOptions(resolve('undo'));
    expect(undo).toMatchObject({ command: 'undo', apiHost: env.FLUENT_API_HOST, retailerId: '7', keepRuns: 30 });
    expect(Object.isFrozen(undo)).toBe(true);
    const history: HistoryOptions = sliceOptions(resolve('history'));
    expect(history.checkpoint).toBe('.customer-sync/checkpoint.sqlite');
    expect('rate' in history).toBe(false);
  });

  it('is a type the whole options fit, so code taking a slice can be handed them', () => {
    const options: ResolvedOptions = resolve('sync');
    const slices: [ValidateOptions, DoctorOptions, UndoOptions, HistoryOptions] = [
      resolve('validate'),
      resolve('doctor'),
      resolve('undo'),
      resolve('history'),
    ];
    expect(slices.map((slice) => slice.command)).toEqual(['validate', 'doctor', 'undo', 'history']);
    expect(options.command).toBe('sync');
  });
});
