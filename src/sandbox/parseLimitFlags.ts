/**
 * The `customer-sync sandbox` flags of the rate-limit, error-format and paging variants Fluent's docs leave open
 * (sandboxVariants.ts): their yargs specs, and their values (as yargs hands them over: kebab-case, unchecked) turned
 * into `startSandbox` options.
 */
import { UsageError } from '../errors.js';
import { escapeControl } from '../shared/escapeControl.js';
import { PAGE_FAULTS, type PageFaultKind, RATE_LIMIT_SHAPES, type SandboxVariants } from './sandboxVariants.js';

/** The flags, for the sandbox command's yargs builder and its list of known flags. */
export const SANDBOX_LIMIT_FLAGS = {
  'rate-limit-shape': {
    type: 'string',
    choices: RATE_LIMIT_SHAPES,
    describe: 'how --rate-limit counts: rolling (default), window (per clock second), bucket (burst = limit), penalty',
  },
  'penalty-ms': {
    type: 'number',
    describe: 'with --rate-limit-shape penalty: ms everything is refused once over the limit (default 20000)',
  },
  'no-retry-after': { type: 'boolean', describe: 'refusals for the rate carry no Retry-After (Fluent documents none)' },
  'bare-error-codes': {
    type: 'boolean',
    describe: 'an error\'s code only at the start of its message, no colon, no extensions.code ("C0011E Rate …")',
  },
  'page-faults': {
    type: 'string',
    describe: 'pages repeat the edge before them; stall (default): page 3 keeps its cursor; no-cursor: page 3 has none',
  },
} as const;

/**
 * Reads the variant flags. `--no-retry-after` is read from `argv` itself: yargs takes it as the negation of
 * `--retry-after` (a number), which cannot tell it from `--retry-after 0`.
 *
 * @throws UsageError naming the flag when its value is wrong
 */
export function parseLimitFlags(flags: Readonly<Record<string, unknown>>, argv: readonly string[]): SandboxVariants {
  const variants: SandboxVariants = {};
  if (flags['rate-limit-shape'] !== undefined) {
    variants.rateLimitShape = String(flags['rate-limit-shape']) as SandboxVariants['rateLimitShape'];
  }
  if (flags['penalty-ms'] !== undefined) {
    const ms = Number(flags['penalty-ms']);
    if (!Number.isFinite(ms) || ms < 0) throw new UsageError('--penalty-ms must be a number of at least 0');
    variants.penaltyMs = ms;
  }
  if (argv.includes('--no-retry-after')) variants.noRetryAfter = true;
  if (flags['bare-error-codes'] === true) variants.bareErrorCodes = true;
  if (flags['page-faults'] !== undefined) {
    const kind = String(flags['page-faults']).trim() || 'stall';
    if (!(PAGE_FAULTS as readonly string[]).includes(kind)) {
      throw new UsageError(`--page-faults must be one of ${PAGE_FAULTS.join(', ')}, not '${escapeControl(kind)}'`);
    }
    variants.pageFaults = kind as PageFaultKind;
  }
  return variants;
}
