import { describe, expect, it } from 'vitest';
import { assessLogin, type CustomerPermission, type LoginRoles } from '../../src/preflight/assessLogin.js';

const ALL: CustomerPermission[] = ['CUSTOMER_VIEW', 'CUSTOMER_CREATE', 'CUSTOMER_UPDATE'];
const role = (name: string, permissions: string[], ...contexts: [string, string][]) => ({
  name,
  permissions,
  contexts: contexts.map(([type, id]) => ({ type, id })),
});
const login = (...roles: ReturnType<typeof role>[]): LoginRoles => ({ roles });

describe('assessLogin', () => {
  it('an account-wide customer role reaches the whole account and holds every permission for any retailer', () => {
    expect(assessLogin(login(role('SYNC', ALL, ['ACCOUNT', 'ACME'])), { retailerId: '7', needs: ALL })).toEqual({
      reach: { kind: 'account' },
      missing: [],
      customerRoles: ['SYNC'],
    });
  });

  it('customer roles in retailer contexts only: scoped to those retailers, named in order', () => {
    const scoped = login(
      role('SYNC', ALL, ['retailer', '3'], ['retailer', '1']),
      role('ORDERS', ['ORDER_VIEW'], ['account', 'A']),
    );
    expect(assessLogin(scoped, { retailerId: '1', needs: ALL })).toEqual({
      reach: { kind: 'retailers', retailers: ['1', '3'] },
      missing: [],
      customerRoles: ['SYNC'],
    });
  });

  it('a role of another kind in the account context does not widen the customer reach', () => {
    const mixed = login(role('SYNC', ALL, ['retailer', '1']), role('ADMIN_ORDERS', ['ORDER_VIEW'], ['account', 'A']));
    expect(assessLogin(mixed, { retailerId: '1', needs: ALL }).reach).toEqual({ kind: 'retailers', retailers: ['1'] });
  });

  it('names each needed permission the login lacks for the run’s retailer', () => {
    const viewOnly = login(role('READER', ['CUSTOMER_VIEW'], ['account', 'A']));
    expect(assessLogin(viewOnly, { retailerId: '1', needs: ALL }).missing).toEqual([
      'CUSTOMER_CREATE',
      'CUSTOMER_UPDATE',
    ]);
    expect(assessLogin(viewOnly, { retailerId: '1', needs: ['CUSTOMER_VIEW'] }).missing).toEqual([]);
  });

  it('a permission held only for another retailer, or a location, is missing for this one', () => {
    const elsewhere = login(
      role('SYNC', ALL, ['retailer', '2']),
      role('STORE', ['CUSTOMER_CREATE', 'CUSTOMER_VIEW'], ['location', '1']),
    );
    expect(assessLogin(elsewhere, { retailerId: '1', needs: ALL }).missing).toEqual(ALL);
  });

  it('a login with no customer role reaches nothing', () => {
    expect(assessLogin(login(), { retailerId: '1', needs: ['CUSTOMER_VIEW'] })).toEqual({
      reach: { kind: 'retailers', retailers: [] },
      missing: ['CUSTOMER_VIEW'],
      customerRoles: [],
    });
  });
});
