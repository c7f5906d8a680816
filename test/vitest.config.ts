import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export default defineConfig({
  test: {
    root,
    include: ['test/**/*.test.ts'],
    exclude: ['test/bench/**', 'node_modules/**', 'dist/**'],
    // End-to-end tests spawn the built CLI: build it once before any test runs.
    globalSetup: ['test/helpers/buildOnce.ts'],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // Two cores, three files at a time: end-to-end files spawn CLIs and sandboxes of their own, and much of their
    // time they wait (back-off, rate limits, timeouts), so a third file uses the cores those waits leave idle.
    maxWorkers: 3,
  },
});
