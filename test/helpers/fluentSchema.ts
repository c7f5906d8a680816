import fs from 'node:fs';
import path from 'node:path';
import { PROJECT_ROOT } from './runCli.js';

/**
 * Fluent's own customer schema (with its drift from today's docs marked). The project keeps a copy in fixtures/ so
 * the suite runs on any machine; `fluentSchemaCopy.test.ts` checks the copy against the contract's original in
 * ../shared whenever that folder is beside the project (as on the team's machines and in CI).
 */
export const FLUENT_SCHEMA_PATH = path.join(PROJECT_ROOT, 'fixtures', 'fluent-customer-schema.graphql');
export const SHARED_SCHEMA_PATH = path.resolve(PROJECT_ROOT, '../shared/fluent/customer-schema.graphql');

/** The access part (me, user, retailerById, retailers, roles): it extends the customer part. */
export const FLUENT_ACCESS_SCHEMA_PATH = path.join(PROJECT_ROOT, 'fixtures', 'fluent-access-schema.graphql');
export const SHARED_ACCESS_SCHEMA_PATH = path.resolve(PROJECT_ROOT, '../shared/fluent/access-schema.graphql');

export function readFluentSchema(): string {
  return fs.readFileSync(FLUENT_SCHEMA_PATH, 'utf8');
}

/** Fluent's customer and access parts together, as one schema to validate documents against. */
export function readFluentAccountSchema(): string {
  return `${readFluentSchema()}\n${fs.readFileSync(FLUENT_ACCESS_SCHEMA_PATH, 'utf8')}`;
}
