import { afterEach, describe, expect, it } from 'vitest';
import { createSandboxStore } from '../../src/sandbox/createSandboxStore.js';
import { parseSandboxFlags } from '../../src/sandbox/parseSandboxFlags.js';
import { resolveSandboxSettings } from '../../src/sandbox/resolveSandboxSettings.js';
import type { SandboxStore } from '../../src/sandbox/sandboxStoreTypes.js';
import { usageErrorMessage } from '../helpers/usageErrorMessage.js';

/** The store of an account that keeps values otherwise than sent (--reformat-phone, --truncate-names N). */
const open: SandboxStore[] = [];
function aStore(storedValues: { reformatPhone?: boolean; truncateNames?: number }): SandboxStore {
  const settings = resolveSandboxSettings({ storedValues }, []);
  const store = createSandboxStore([], settings, () => Date.parse('2024-05-01T10:00:00Z'));
  open.push(store);
  return store;
}
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});
const ann = {
  username: '1_ann@example.com',
  primaryEmail: 'ann@example.com',
  promotionOptIn: false,
  retailer: { id: '1' },
  firstName: 'Annabelle',
  primaryPhone: '+61412345678',
};

describe('an account that keeps values otherwise than sent', () => {
  it('keeps a phone in international format, on create and on update', () => {
    const store = aStore({ reformatPhone: true });
    const created = store.createCustomer(ann, undefined);
    expect(created.ok && created.value.primaryPhone).toBe('+61 412 345 678');
    const updated = store.updateCustomer({ username: ann.username, primaryPhone: '+61298765432' }, undefined);
    expect(updated.ok && updated.value.primaryPhone).toBe('+61 2 9876 5432');
    expect(updated.ok && updated.value.firstName).toBe('Annabelle');
  });

  it('keeps names cut short, the username and email whole, and a value it held before as it was', () => {
    const store = aStore({ truncateNames: 4 });
    const created = store.createCustomer(ann, undefined);
    expect(created.ok && [created.value.username, created.value.primaryEmail, created.value.firstName]).toEqual([
      ann.username,
      ann.primaryEmail,
      'Anna',
    ]);
    const updated = store.updateCustomer({ username: ann.username, lastName: 'Lee-Smith' }, undefined);
    expect(updated.ok && [updated.value.firstName, updated.value.lastName]).toEqual(['Anna', 'Lee-']);
  });

  it('takes the flags, and refuses a truncation that is not a count of characters', () => {
    expect(parseSandboxFlags({ 'reformat-phone': true, 'truncate-names': 20 })).toEqual({
      storedValues: { reformatPhone: true, truncateNames: 20 },
    });
    expect(usageErrorMessage(() => resolveSandboxSettings({ storedValues: { truncateNames: 0 } }, []))).toBe(
      'sandbox name truncation must be a whole number of characters of at least 1',
    );
    expect(resolveSandboxSettings({}, [])).not.toHaveProperty('storedValues');
  });
});
