import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { FLUENT_SCHEMA_PATH, SHARED_SCHEMA_PATH } from './fluentSchema.js';

const hasShared = fs.existsSync(SHARED_SCHEMA_PATH);
if (!hasShared)
  console.log(`skipped: ${SHARED_SCHEMA_PATH} is not beside the project, so the schema copy is not compared`);

describe('the Fluent schema copy in fixtures/', () => {
  it.skipIf(!hasShared)('is the same as the contract in ../shared/fluent', () => {
    expect(fs.readFileSync(FLUENT_SCHEMA_PATH, 'utf8')).toBe(fs.readFileSync(SHARED_SCHEMA_PATH, 'utf8'));
  });
});
