/**
 * A run asks for what its mode needs (SPEC §1): the table of needs, and the real preflight against a sandbox whose
 * login lacks one permission.
 */
import { describe, expect, it } from 'vitest';
import { checkAccount } from '../../src/preflight/checkAccount.js';
import { neededPermissions } from '../../src/preflight/neededPermissions.js';
import type { WriteMode } from '../../src/types.js';
import { useFluentFixtures } from '../fluent/fixtures.js';

describe('neededPermissions', () => {
  const table: [string, boolean, WriteMode | undefined, string[]][] = [
    ['a dry run', true, 'upsert', ['CUSTOMER_VIEW']],
    ['a dry run of update-only', true, 'update-only', ['CUSTOMER_VIEW']],
    ['upsert', false, 'upsert', ['CUSTOMER_VIEW', 'CUSTOMER_CREATE', 'CUSTOMER_UPDATE']],
    ['no mode given', false, undefined, ['CUSTOMER_VIEW', 'CUSTOMER_CREATE', 'CUSTOMER_UPDATE']],
    ['update-only', false, 'update-only', ['CUSTOMER_VIEW', 'CUSTOMER_UPDATE']],
    ['create-only', false, 'create-only', ['CUSTOMER_VIEW', 'CUSTOMER_CREATE']],
  ];
  for (const [name, dryRun, writeMode, needs] of table) {
    it(`${name} needs ${needs.join(', ')}`, () => {
      expect(neededPermissions({ dryRun, writeMode })).toEqual(needs);
    });
  }
});

describe('checkAccount asks for what the mode needs', () => {
  const fx = useFluentFixtures();
  const permissionsLine = async (missing: string, writeMode: WriteMode) => {
    const sandbox = await fx.sandbox({ missingPermissions: [missing] });
    const { lines } = await checkAccount(fx.client(sandbox.url), {
      retailerId: '1',
      dryRun: false,
      allowScopedLogin: false,
      writeMode,
    });
    return lines.find((line) => line.check === 'permissions');
  };

  it('update-only runs with a login that may not create, and create-only with one that may not update', async () => {
    expect(await permissionsLine('CUSTOMER_CREATE', 'update-only')).toEqual({
      check: 'permissions',
      status: 'ok',
      message: 'CUSTOMER_VIEW, CUSTOMER_UPDATE held for retailer 1',
    });
    expect(await permissionsLine('CUSTOMER_UPDATE', 'create-only')).toMatchObject({ status: 'ok' });
  });

  it('still refuses what the mode does need', async () => {
    const line = await permissionsLine('CUSTOMER_UPDATE', 'update-only');
    expect(line?.status).toBe('fail');
    expect(line?.message).toContain('lacks CUSTOMER_UPDATE for retailer 1');
    expect((await permissionsLine('CUSTOMER_CREATE', 'upsert'))?.status).toBe('fail');
  });
});
