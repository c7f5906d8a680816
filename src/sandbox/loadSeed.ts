import { UsageError } from '../errors.js';
import { readJsonFile } from '../readJsonFile.js';
import type { SeedCustomer } from './sandboxTypes.js';

const TEXT_FIELDS = [
  'primaryEmail',
  'title',
  'firstName',
  'lastName',
  'primaryPhone',
  'timezone',
  'department',
  'country',
  'ref',
  'status',
] as const;
/** Fields of a `GET /_sandbox/state` dump that a seed cannot set; accepted so a dump can be fed back in. */
const IGNORED_FIELDS = new Set(['createdOn', 'updatedOn']);
const KNOWN_FIELDS = new Set<string>(['retailerId', 'username', 'promotionOptIn', 'id', ...TEXT_FIELDS]);

/**
 * Reads the customers the sandbox starts with (`sandbox --seed FILE`): a JSON array of Customer fields plus
 * `retailerId` (a string, or a number taken as its digits).
 *
 * @throws UsageError with a one-line message naming the file and the problem: missing, not JSON, not an
 *   array, an entry without retailerId or username, a field of the wrong type, a repeated username
 */
export function loadSeed(path: string): SeedCustomer[] {
  const value = readJsonFile(path, 'seed file');
  if (!Array.isArray(value)) throw new UsageError(`seed file ${path} must hold a JSON array of customers`);

  const seen = new Set<string>();
  return value.map((entry: unknown, index) => {
    const where = `seed file ${path}, entry ${index + 1}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new UsageError(`${where} is not an object`);
    }
    const record = entry as Record<string, unknown>;
    const unknown = Object.keys(record).filter((key) => !KNOWN_FIELDS.has(key) && !IGNORED_FIELDS.has(key));
    if (unknown.length > 0) throw new UsageError(`${where} has unknown field(s): ${unknown.join(', ')}`);
    const retailerId = typeof record.retailerId === 'number' ? String(record.retailerId) : record.retailerId;
    if (typeof retailerId !== 'string' || retailerId === '') throw new UsageError(`${where} lacks retailerId`);
    if (typeof record.username !== 'string' || record.username === '') {
      throw new UsageError(`${where} lacks username`);
    }
    const customer: SeedCustomer = { retailerId, username: record.username };
    for (const field of TEXT_FIELDS) {
      const fieldValue = record[field];
      if (fieldValue === undefined || fieldValue === null) continue;
      if (typeof fieldValue !== 'string') throw new UsageError(`${where}: ${field} must be a string`);
      customer[field] = fieldValue;
    }
    if (record.promotionOptIn !== undefined && record.promotionOptIn !== null) {
      if (typeof record.promotionOptIn !== 'boolean') {
        throw new UsageError(`${where}: promotionOptIn must be true or false`);
      }
      customer.promotionOptIn = record.promotionOptIn;
    }
    if (record.id !== undefined && record.id !== null) {
      const id = typeof record.id === 'number' ? String(record.id) : record.id;
      if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new UsageError(`${where}: id must be a number`);
      if (!Number.isSafeInteger(Number(id))) {
        throw new UsageError(`${where}: id must be at most ${Number.MAX_SAFE_INTEGER}`);
      }
      if (seen.has(`id ${id}`)) throw new UsageError(`${where}: id ${id} is used twice`);
      seen.add(`id ${id}`);
      customer.id = id;
    }
    const key = `${retailerId}\u0000${customer.username}`;
    if (seen.has(key)) {
      throw new UsageError(`${where}: username '${customer.username}' repeats for retailer ${retailerId}`);
    }
    seen.add(key);
    return customer;
  });
}
