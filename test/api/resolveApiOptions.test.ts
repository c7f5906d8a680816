import { describe, expect, it } from 'vitest';
import { resolveApiOptions } from '../../src/api/resolveApiOptions.js';
import { resolveOptions } from '../../src/options/index.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';
import { makeWorkspace } from '../helpers/workspace.js';

const input = (env: NodeJS.ProcessEnv = {}, config?: string) => ({ file: 'x.csv', env, config, warn: () => {} });
const SYNC = { name: 'syncFile', command: 'sync' } as const;
const REQUIRED = { apiHost: 'https://acme.sandbox.api.fluentretail.com', retailerId: 1 };

describe('resolveApiOptions', () => {
  it("gives the command line's defaults and values: the same resolveOptions, camelCase names", () => {
    const fromApi = resolveApiOptions(SYNC, { ...REQUIRED, maxErrorRate: 0.2, rate: 'auto', dryRun: true }, input());
    const fromFlags = resolveOptions({
      command: 'sync',
      file: 'x.csv',
      flags: { 'api-host': REQUIRED.apiHost, 'retailer-id': 1, 'max-error-rate': 0.2, rate: 'auto', 'dry-run': true },
      env: {},
    });
    expect(fromApi).toEqual(fromFlags);
    expect(fromApi).toMatchObject({ batch: 1, concurrency: 8, checkpoint: '.customer-sync/checkpoint.sqlite' });
  });

  it('names a bad value as the program gave it, and an option from env or a job file by its source', () => {
    expect(usageErrorMessage(() => resolveApiOptions(SYNC, { ...REQUIRED, batch: 0 }, input()))).toBe(
      'options.batch must be a whole number from 1 to 50, got "0"',
    );
    expect(usageErrorMessage(() => resolveApiOptions(SYNC, REQUIRED, input({ FLUENT_BATCH: '99' })))).toBe(
      'FLUENT_BATCH must be a whole number from 1 to 50, got "99"',
    );
    expect(usageErrorMessage(() => resolveApiOptions(SYNC, { retailerId: 1 }, input()))).toBe(
      'no OMS to sync with: pass options.apiHost (or FLUENT_API_HOST), or options.sandbox to try it locally',
    );
    expect(resolveApiOptions(SYNC, { ...REQUIRED, batch: 3 }, input({ FLUENT_BATCH: '99' })).batch).toBe(3);
  });

  it('reads none of the options a function does not take, from no source, and never suggests them', () => {
    const ws = makeWorkspace('cs-api-options-');
    try {
      const config = ws.write('job.json', JSON.stringify({ sandbox: true, limit: 5, shard: '1/2', mode: 'upsert' }));
      const ensure = {
        name: 'ensureCustomers',
        command: 'sync',
        without: ['sandbox', 'limit', 'shard', 'mode'],
      } as const;
      const options = resolveApiOptions(ensure, REQUIRED, input({ FLUENT_LIMIT: '3', FLUENT_SANDBOX: 'yes' }, config));
      expect(options).toMatchObject({ sandbox: false, limit: undefined, shard: undefined, mode: 'upsert' });
      expect(usageErrorMessage(() => resolveApiOptions(ensure, { retailerId: 1 }, input({}, config)))).toBe(
        'no OMS to sync with: pass options.apiHost (or FLUENT_API_HOST)',
      );
      // The same job file does set them for syncFile.
      expect(resolveApiOptions(SYNC, { retailerId: 1 }, input({}, config))).toMatchObject({ sandbox: true, limit: 5 });
    } finally {
      ws.remove();
    }
  });
});
