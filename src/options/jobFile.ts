import path from 'node:path';
import { UsageError } from '../errors.js';
import { lazySchema, type Zod, type ZodIssue } from '../shared/loadZod.js';
import { checkJsonValue, firstIssue, readJsonFile, valueAt } from '../shared/readJsonFile.js';
import { suggestName } from '../shared/suggestName.js';
import type { RawOptions } from './layering.js';
import { camelName, OPTION_NAMES, type OptionName, type OptionSpec, specOf } from './specs.js';
import { checkValue } from './values.js';

/** Where docs/job-file.schema.json says it is from; the job files in jobs/ point at it with `"$schema"`. */
const SCHEMA_TITLE = 'customer-sync job file';

/**
 * The job file's schema, built from the option specs: a JSON object whose keys are option names, each value of the
 * JSON types its check takes (`"rate": 5` or `"rate": "auto"`; a number or a yes/no may also be written as text, as
 * in env), a choice one of its choices, plus `$schema` and a `description` for people. Ranges and formats are left to
 * the option's check, which words them the same for flags, env and job files. Also what docs/job-file.schema.json is
 * generated from, so editors complete and check job files.
 */
export function buildJobFileSchema(z: Zod) {
  const shape: Record<string, ReturnType<typeof valueSchema>> = {
    $schema: z.string().meta({ description: 'the JSON Schema of job files, for editors; ignored by the tool' }),
    description: z.string().meta({ description: 'what the job is for; ignored by the tool' }),
  };
  for (const name of OPTION_NAMES) {
    const spec = specOf(name);
    shape[name] = valueSchema(z, spec).meta({
      description: spec.describe,
      ...(spec.default === undefined ? {} : { default: spec.default }),
    });
  }
  return z.strictObject(shape).partial().meta({
    title: SCHEMA_TITLE,
    description:
      'Options for customer-sync --config FILE (or FLUENT_CONFIG): the long option names; flags and env win over them. The tool also reads camelCase names (maxErrorRate); this schema lists the flag names.',
  });
}

function valueSchema(z: Zod, spec: OptionSpec) {
  if (spec.choices) return z.enum(spec.choices as [string, ...string[]]);
  if (spec.type === 'boolean') return z.union([z.boolean(), z.string()]);
  if (spec.type === 'number' || spec.takesNumber) return z.union([z.number(), z.string()]);
  return z.string();
}

const jobFileSchema = lazySchema(buildJobFileSchema);

/** docs/job-file.schema.json: the job file's schema as JSON Schema (draft 2020-12). */
export function jobFileJsonSchema(z: Zod): Record<string, unknown> {
  return z.toJSONSchema(buildJobFileSchema(z)) as Record<string, unknown>;
}

/** The option a job-file key names: its flag name or the camelCase of it. */
const OPTION_OF_KEY = new Map<string, OptionName>(
  OPTION_NAMES.flatMap((name) => [
    [name, name],
    [camelName(name), name],
  ]),
);

/**
 * Reads a job file: a JSON object whose keys are option names (kebab-case or camelCase). `$schema` and other `$` keys
 * and `description` are for editors and people, and ignored. Relative paths are taken from the job file's folder.
 * Every problem is a UsageError naming the file: unreadable, not JSON, not an object, an unknown option (with the one
 * it most likely meant), a value of a type the option cannot take (worded by the option's own check).
 */
export function readJobFile(file: string): RawOptions {
  const parsed = readJsonFile(file, 'job file');
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`job file ${file} must hold a JSON object of options, e.g. {"retailer-id": "1"}`);
  }
  // Keys as the schema names them: a camelCase key becomes its flag name, `$` keys are dropped, unknown ones kept.
  const byName: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (key.startsWith('$')) continue;
    byName[OPTION_OF_KEY.get(key) ?? key] = value;
  }
  const checked = checkJsonValue(byName, jobFileSchema(), (issues) => explainJobFileIssue(file, byName, issues));
  const out: RawOptions = {};
  for (const name of OPTION_NAMES) {
    const value = checked[name];
    if (value === undefined) continue;
    out[name] = specOf(name).isPath && typeof value === 'string' ? path.resolve(path.dirname(file), value) : value;
  }
  return out;
}

/** The first problem of a job file, in our words: an unknown option first, as a typo is the likeliest mistake. */
function explainJobFileIssue(file: string, byName: Record<string, unknown>, issues: readonly ZodIssue[]): string {
  const issue = firstIssue(issues, 0);
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] as string;
    const near = suggestName(key, OPTION_NAMES);
    const hint = near === undefined ? '' : `; did you mean "${near}"?`;
    return `job file ${file} has an unknown option "${key}"${hint}`;
  }
  const key = String(issue.path[0]);
  const name = OPTION_OF_KEY.get(key);
  if (name === undefined) return `job file ${file}: "${key}" must be text`;
  const value = valueAt(byName, issue.path);
  const source = `${file}: ${name}`;
  // The option's own check words the problem as it does for a flag or an env variable.
  try {
    checkValue(name, value, source);
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
  return `${source} must be ${expectedOf(specOf(name))}, got ${jsonTypeOf(value)}`;
}

function expectedOf(spec: OptionSpec): string {
  if (spec.choices) return `one of ${spec.choices.join(', ')}`;
  if (spec.type === 'boolean') return 'true or false';
  if (spec.type === 'number') return 'a number';
  return spec.takesNumber ? 'text or a number' : 'text';
}

/**
 * What a value is, without repeating anything but a text (a choice's): a webhook's URL, a secret, is text, and a text
 * that reaches here is one a choice's check took but the schema did not.
 */
function jsonTypeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  return typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`;
}
