import { UPDATABLE_FIELDS } from '../types.js';
import type { StoredCustomer } from './sandboxStoreTypes.js';
import type { SandboxCustomer } from './sandboxTypes.js';

/**
 * The customers table. Usernames are unique per retailer (the index refuses a repeat); the folded indexes serve
 * case-insensitive lookups and `uniqueCi`, and exist only when the account matches or refuses that way.
 */
export const SCHEMA = `
  CREATE TABLE customers (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL,
    username TEXT NOT NULL,
    title TEXT,
    firstName TEXT,
    lastName TEXT,
    primaryEmail TEXT,
    primaryPhone TEXT,
    timezone TEXT,
    promotionOptIn INTEGER,
    department TEXT,
    country TEXT,
    status TEXT NOT NULL,
    retailerId TEXT NOT NULL,
    createdOn TEXT NOT NULL,
    updatedOn TEXT NOT NULL,
    attributes TEXT
  );
  CREATE UNIQUE INDEX customers_by_retailer_username ON customers (retailerId, username);
  CREATE INDEX customers_by_username ON customers (username);
  CREATE INDEX customers_by_ref ON customers (ref);
  CREATE INDEX customers_by_email ON customers (primaryEmail);
`;
export const FOLDED_INDEXES = `
  CREATE INDEX customers_by_folded_username ON customers (fold(username));
  CREATE INDEX customers_by_folded_ref ON customers (fold(ref));
  CREATE INDEX customers_by_retailer_folded_username ON customers (retailerId, fold(username));
`;
/** Every column, in the order `toCustomer` reads them. */
export const COLUMNS =
  'id, ref, username, title, firstName, lastName, primaryEmail, primaryPhone, timezone, promotionOptIn, ' +
  'department, country, status, retailerId, createdOn, updatedOn, attributes';
export const INSERT = `INSERT INTO customers (${COLUMNS}) VALUES (${COLUMNS.split(', ')
  .map((column) => `@${column}`)
  .join(', ')})`;
/** Columns an update may change (UpdateCustomerInput's fields), besides updatedOn. */
export const UPDATABLE_COLUMNS = [...UPDATABLE_FIELDS, 'attributes'] as const;

export type Row = [
  id: number,
  ref: string,
  username: string,
  title: string | null,
  firstName: string | null,
  lastName: string | null,
  primaryEmail: string | null,
  primaryPhone: string | null,
  timezone: string | null,
  promotionOptIn: number | null,
  department: string | null,
  country: string | null,
  status: string,
  retailerId: string,
  createdOn: string,
  updatedOn: string,
  attributes: string | null,
];

/** The named parameters of INSERT and UPDATE for a customer; an empty id lets SQLite give the next one. */
export function toRow(customer: StoredCustomer): Record<string, unknown> {
  return {
    id: customer.id === '' ? null : customer.idNumber,
    ref: customer.ref,
    username: customer.username,
    title: customer.title,
    firstName: customer.firstName,
    lastName: customer.lastName,
    primaryEmail: customer.primaryEmail,
    primaryPhone: customer.primaryPhone,
    timezone: customer.timezone,
    promotionOptIn: customer.promotionOptIn === null ? null : customer.promotionOptIn ? 1 : 0,
    department: customer.department,
    country: customer.country,
    status: customer.status,
    retailerId: customer.retailerId,
    createdOn: customer.createdOn,
    updatedOn: customer.updatedOn,
    attributes: customer.attributes === null ? null : JSON.stringify(customer.attributes),
  };
}

export function toCustomer(row: Row): StoredCustomer {
  return {
    id: String(row[0]),
    idNumber: row[0],
    ref: row[1],
    username: row[2],
    title: row[3],
    firstName: row[4],
    lastName: row[5],
    primaryEmail: row[6],
    primaryPhone: row[7],
    timezone: row[8],
    promotionOptIn: row[9] === null ? null : row[9] === 1,
    department: row[10],
    country: row[11],
    status: row[12],
    retailerId: row[13],
    createdOn: row[14],
    updatedOn: row[15],
    attributes: row[16] === null ? null : (JSON.parse(row[16]) as StoredCustomer['attributes']),
  };
}

/** The public shape of a stored customer: what `customers()` and `GET /_sandbox/state` show. */
export function toSandboxCustomer(row: Row): SandboxCustomer {
  const { idNumber: _, attributes: __, ...customer } = toCustomer(row);
  return customer;
}
