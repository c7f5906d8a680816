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

export function readFluentSchema(): string {
  return fs.readFileSync(FLUENT_SCHEMA_PATH, 'utf8');
}
