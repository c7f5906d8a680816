import { Writable } from 'node:stream';
import { exitCodeOfError, UsageError } from '../errors.js';
import { type Credentials, readCredentials, secretValues } from '../fluent/credentials.js';
import { PASSWORD_CREDENTIAL_VARIABLES, TOKEN_CREDENTIAL_VARIABLE } from '../fluent/errors.js';
import { createLogger, type LogSink } from '../log.js';
import { type ResolvedOptions, resolveOptions } from '../options/index.js';
import type { RunDependencies } from '../run/runTypes.js';
import { createScrubber } from '../shared/createScrubber.js';
import type { Logger, OmsSettings } from './apiTypes.js';
import type { CommandLine } from './commandLine.js';
import { type ApiOptionSet, resolveApiOptions } from './resolveApiOptions.js';

/** Env variables whose values are masked in every output; FLUENT_REDACT_KEY keys --redact's masks. */
export const SECRET_VARIABLES = [
  ...PASSWORD_CREDENTIAL_VARIABLES,
  TOKEN_CREDENTIAL_VARIABLE,
  'FLUENT_ACCOUNT_ID',
  'FLUENT_REDACT_KEY',
] as const;

/** A run's resolved options and what it is given, ready for the run skeleton. */
export interface PreparedRun<C extends 'sync' | 'validate'> {
  options: ResolvedOptions & { readonly command: C };
  deps: RunDependencies;
}

/**
 * Everything a run of the API needs before it starts, from a program's options and settings, or from the command
 * line's flags and outputs (CommandLine): the options resolved by the one resolveOptions; the credentials (the
 * `credentials` setting, else the environment's; none for validate); one scrubber that masks every secret of the env
 * and of the credentials in any output; the logger (the program's, silent by default; the command line's), and a
 * signal (the program's, the command line's, or one that never fires). Nothing here installs a signal handler, writes
 * to stdout or stderr, or touches process state.
 *
 * @throws UsageError for a setting of the wrong kind, an option the function does not take, a bad value, or
 *   incomplete credentials
 */
export function prepareRun<C extends 'sync' | 'validate'>(
  set: ApiOptionSet<C>,
  given: Readonly<Record<string, unknown>>,
  file: string,
  commandLine?: CommandLine,
): PreparedRun<C> {
  const settings = checkSettings(set.name, given);
  const env = commandLine?.env ?? settings.env ?? process.env;
  const warnings: string[] = [];
  const warn = (message: string) => warnings.push(message);
  const options = commandLine
    ? resolveOptions({ command: set.command, file, flags: commandLine.flags, env, config: commandLine.config, warn })
    : resolveApiOptions(set, given, { file, env, config: settings.config, warn });
  // Credentials are read apart from the options, from the setting or env only (SPEC §2, §7); validate needs none.
  const explicit = settings.credentials === undefined ? undefined : checkCredentials(set.name, settings.credentials);
  const credentials = set.command === 'validate' ? undefined : (explicit?.credentials ?? readCredentials(env));
  // Given credentials stand alone: the env's account id is not mixed into them.
  const accountId = explicit ? explicit.accountId : env.FLUENT_ACCOUNT_ID || undefined;
  const scrubber = commandLine?.scrubber ?? createScrubber(SECRET_VARIABLES.map((name) => env[name] ?? ''));
  for (const secret of [...(credentials ? secretValues(credentials) : []), accountId ?? '']) scrubber.add(secret);
  const log = commandLine
    ? commandLine.logger(options)
    : createLogger({
        sink: toSink(settings.logger),
        format: options.logFormat,
        verbose: options.verbose,
        quiet: options.quiet,
        scrubber,
      });
  for (const warning of warnings) log.warn(warning);
  return {
    options,
    deps: {
      log,
      out: commandLine?.out ?? discard(),
      progressStream: commandLine?.progress ?? discard(),
      credentials,
      accountId,
      redactKey: env.FLUENT_REDACT_KEY || undefined,
      scrubber,
      signal: commandLine?.signal ?? settings.signal ?? new AbortController().signal,
      exitCodeOf: exitCodeOfError,
    },
  };
}

/** The settings (apiTypes' RunSettings and OmsSettings), each checked for its kind. */
function checkSettings(fn: string, given: Readonly<Record<string, unknown>>): OmsSettings {
  const { env, config, logger, signal, credentials } = given;
  const wrong = (name: string, what: string) => new UsageError(`${fn}: \`${name}\` must be ${what}`);
  if (env !== undefined && (env === null || typeof env !== 'object')) throw wrong('env', 'an object of variables');
  if (config !== undefined && typeof config !== 'string') throw wrong('config', 'the path of a job file');
  if (logger !== undefined && (logger === null || typeof logger !== 'object')) {
    throw wrong('logger', 'an object with debug, info, warn and error methods (console will do)');
  }
  if (signal !== undefined && !(signal instanceof AbortSignal)) throw wrong('signal', 'an AbortSignal');
  if (credentials !== undefined && (credentials === null || typeof credentials !== 'object')) {
    throw wrong('credentials', 'an object: {clientId, clientSecret, username, password} or {accessToken}');
  }
  return given as OmsSettings;
}

/**
 * The `credentials` setting as the client takes it: an access token, or all four of the password grant's values,
 * each non-empty text; the message names what is missing, never a value.
 */
function checkCredentials(fn: string, given: object): { credentials: Credentials; accountId: string | undefined } {
  const c = given as Record<string, unknown>;
  const text = (name: string) => (typeof c[name] === 'string' && c[name] !== '' ? (c[name] as string) : undefined);
  if (c.accountId !== undefined && text('accountId') === undefined) {
    throw new UsageError(`${fn}: credentials.accountId must be a non-empty text`);
  }
  const accountId = text('accountId');
  const accessToken = text('accessToken');
  if (accessToken !== undefined) return { credentials: { kind: 'token', accessToken }, accountId };
  const names = ['clientId', 'clientSecret', 'username', 'password'] as const;
  const missing = names.filter((name) => text(name) === undefined);
  if (missing.length > 0) {
    throw new UsageError(
      `${fn}: credentials lacks ${missing.join(', ')}; give clientId, clientSecret, username and password as non-empty texts, or an accessToken`,
    );
  }
  const [clientId, clientSecret, username, password] = names.map((name) => text(name) as string) as [
    string,
    string,
    string,
    string,
  ];
  return { credentials: { kind: 'password', clientId, clientSecret, username, password }, accountId };
}

/** The program's logger as the run's log sink: each level to its method, if it has one; none at all is silence. */
function toSink(logger: Logger | undefined): LogSink {
  return (level, message, fields) => {
    const method = logger?.[level];
    if (typeof method !== 'function') return;
    if (fields === undefined) method.call(logger, message);
    else method.call(logger, message, fields);
  };
}

/** A stream that takes everything and keeps nothing: the API prints no summary and draws no progress line. */
function discard(): NodeJS.WritableStream {
  return new Writable({ write: (_chunk, _encoding, done) => done() });
}
