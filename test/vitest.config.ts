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
    // Test files share a worker's modules instead of importing every module again each (the suite's import time fell
    // from 37 s to 12 s). No test changes a module's state for the next: fake timers and env changes are undone after.
    isolate: false,
  },
});
