import type { Customer, OmsCustomer } from '../../src/types.js';

/** A valid normalised customer; override what the test is about. */
export function aCustomer(overrides: Partial<Customer> = {}): Customer {
  return {
    username: '1_jane@example.com',
    primaryEmail: 'jane@example.com',
    firstName: 'Jane',
    lastName: 'Doe',
    ...overrides,
  };
}

/** A customer as the OMS returns it from a lookup. */
export function anOmsCustomer(overrides: Partial<OmsCustomer> = {}): OmsCustomer {
  return {
    id: '100',
    ref: overrides.username ?? '1_jane@example.com',
    username: '1_jane@example.com',
    title: null,
    firstName: 'Jane',
    lastName: 'Doe',
    primaryEmail: 'jane@example.com',
    primaryPhone: null,
    timezone: null,
    promotionOptIn: false,
    department: null,
    country: null,
    status: 'ACTIVE',
    retailerId: '1',
    ...overrides,
  };
}
