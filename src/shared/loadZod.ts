import { createRequire } from 'node:module';
import type * as ZodModule from 'zod';

/** The zod module, as `import * as z from 'zod'` gives it. */
export type Zod = typeof ZodModule;

let zod: Zod | undefined;

/**
 * zod, loaded on first use: only a command that reads a job, mapping, seed or fault file pays for it (some 50 ms of
 * start-up), and `validate FILE` without them starts as fast as before. Required, not imported, so the loaders that
 * call it stay synchronous; zod ships a CommonJS build for exactly this.
 */
export function loadZod(): Zod {
  zod ??= createRequire(import.meta.url)('zod') as Zod;
  return zod;
}

/**
 * A schema built once, on first use, from the zod module: `const schema = lazySchema((z) => z.object({...}))`, then
 * `schema()` wherever it is needed.
 */
export function lazySchema<T>(build: (z: Zod) => T): () => T {
  let built: T | undefined;
  return () => {
    built ??= build(loadZod());
    return built;
  };
}

/** One problem zod found, with the path to the entry it is about. */
export type ZodIssue = ZodModule.core.$ZodIssue;

/** A zod schema whose parsed value is T. */
export type ZodSchema<T> = ZodModule.ZodType<T>;
