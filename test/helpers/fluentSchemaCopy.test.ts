import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  FLUENT_ACCESS_SCHEMA_PATH,
  FLUENT_SCHEMA_PATH,
  SHARED_ACCESS_SCHEMA_PATH,
  SHARED_SCHEMA_PATH,
} from './fluentSchema.js';

const hasShared = fs.existsSync(SHARED_SCHEMA_PATH);
if (!hasShared)
  console.log(`skipped: ${SHARED_SCHEMA_PATH} is not beside the project, so the schema copy is not compared`);

describe('the Fluent schema copies in fixtures/', () => {
  it.skipIf(!hasShared)('the customer part is the same as the contract in ../shared/fluent', () => {
    expect(fs.readFileSync(FLUENT_SCHEMA_PATH, 'utf8')).toBe(fs.readFileSync(SHARED_SCHEMA_PATH, 'utf8'));
  });

  it.skipIf(!hasShared)('the access part is the same as the contract in ../shared/fluent', () => {
    expect(fs.readFileSync(FLUENT_ACCESS_SCHEMA_PATH, 'utf8')).toBe(fs.readFileSync(SHARED_ACCESS_SCHEMA_PATH, 'utf8'));
  });
});
