#!/usr/bin/env node
// npm's `prepare`: runs after `npm ci` or `npm install` in a clone of the project, and before `npm pack`. There it
// builds dist/ from src/ with TypeScript (`npm run build`). An installed package has no src/ (its dist/ is built), so
// there is nothing to build and nothing to build it with: prepare does nothing there.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
if (existsSync(new URL('../src/index.ts', import.meta.url))) {
  const build = spawnSync('npm', ['run', 'build'], {
    cwd: root,
    stdio: 'inherit',
    shell: process.platform === 'win32',
  });
  process.exitCode = build.status ?? 1;
}
