import { UsageError } from '../errors.js';
import { lazySchema, type ZodIssue } from '../shared/loadZod.js';
import { checkJsonValue, firstIssue, readJsonFile } from '../shared/readJsonFile.js';
import { customerFieldsBut } from '../types.js';
import type { SeedCustomer } from './sandboxTypes.js';

/** The seed's text fields: every customer field but username and promotionOptIn (checked on their own), ref, status. */
const TEXT_FIELDS = [...customerFieldsBut('username', 'promotionOptIn'), 'ref', 'status'] as const;

/**
 * A seed file: an array of customers, each with a retailerId (a string, or a number taken as its digits) and a
 * username, the Customer fields as text, promotionOptIn as true or false, an id of digits. `createdOn` and `updatedOn`
 * of a `GET /_sandbox/state` dump are accepted, so a dump can be fed back in, and left out; any other field is refused.
 */
const seedSchema = lazySchema((z) => {
  const text = z.string().nullish();
  return z.array(
    z.strictObject({
      retailerId: z.union([z.string().min(1), z.number().transform(String)]),
      username: z.string().min(1),
      ...Object.fromEntries(TEXT_FIELDS.map((field) => [field, text])),
      promotionOptIn: z.boolean().nullish(),
      id: z
        .union([z.string(), z.number().transform(String)])
        .pipe(z.string().regex(/^\d+$/))
        .nullish(),
      createdOn: z.unknown().optional(),
      updatedOn: z.unknown().optional(),
    }),
  );
});

/**
 * Reads the customers the sandbox starts with (`sandbox --seed FILE`): a JSON array of Customer fields plus
 * `retailerId` (a string, or a number taken as its digits).
 *
 * @throws UsageError with a one-line message naming the file and the problem: missing, not JSON, not an
 *   array, an entry without retailerId or username, a field of the wrong type, a repeated username
 */
export function loadSeed(path: string): SeedCustomer[] {
  const value = readJsonFile(path, 'seed file');
  const entries = checkJsonValue(value, seedSchema(), (issues) => explainSeedIssue(path, issues));
  const seen = new Set<string>();
  return entries.map((entry, index) => {
    const where = `seed file ${path}, entry ${index + 1}`;
    const record = entry as Record<string, unknown>;
    const customer: SeedCustomer = { retailerId: entry.retailerId, username: entry.username };
    for (const field of TEXT_FIELDS) {
      const fieldValue = record[field];
      if (typeof fieldValue === 'string') customer[field] = fieldValue;
    }
    if (typeof entry.promotionOptIn === 'boolean') customer.promotionOptIn = entry.promotionOptIn;
    if (typeof entry.id === 'string') {
      const { id } = entry;
      if (!Number.isSafeInteger(Number(id))) {
        throw new UsageError(`${where}: id must be at most ${Number.MAX_SAFE_INTEGER}`);
      }
      if (seen.has(`id ${id}`)) throw new UsageError(`${where}: id ${id} is used twice`);
      seen.add(`id ${id}`);
      customer.id = id;
    }
    const key = `${customer.retailerId}\u0000${customer.username}`;
    if (seen.has(key)) {
      throw new UsageError(`${where}: username '${customer.username}' repeats for retailer ${customer.retailerId}`);
    }
    seen.add(key);
    return customer;
  });
}

/** The first problem of a seed, in our words: the first entry with one, an unknown field before a wrong one. */
function explainSeedIssue(path: string, issues: readonly ZodIssue[]): string {
  const issue = firstIssue(issues, 1);
  if (issue.path.length === 0) return `seed file ${path} must hold a JSON array of customers`;
  const index = issue.path[0] as number;
  const where = `seed file ${path}, entry ${index + 1}`;
  if (issue.path.length === 1) {
    return issue.code === 'unrecognized_keys'
      ? `${where} has unknown field(s): ${issue.keys.join(', ')}`
      : `${where} is not an object`;
  }
  const field = String(issue.path[1]);
  if (field === 'retailerId' || field === 'username') return `${where} lacks ${field}`;
  if (field === 'promotionOptIn') return `${where}: promotionOptIn must be true or false`;
  if (field === 'id') return `${where}: id must be a number`;
  return `${where}: ${field} must be a string`;
}
