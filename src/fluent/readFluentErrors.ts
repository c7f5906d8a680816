/**
 * What Fluent's errors say, read the way its documentation and its SDK read them: a code such as `C0020E` stands in
 * `errors[].extensions.code` or anywhere in the message (`C0020E: ...`, `C0011E Rate limit exceeded`), and the code,
 * not the HTTP status, says whether to retry, to stop the run, or to give the row up (SPEC §1; the access schema
 * lists the codes).
 */

/**
 * What the client does about an answer's errors:
 * - `permission`: C0020E, the login lacks a permission; every row would fail, so the run stops.
 * - `server`: S....E or T....E, Fluent's own failure; a query is retried, a mutation may have been applied.
 * - `transient`: C0011E (rate limit, also inside HTTP 200) or C0003E (view initialising); retried later.
 * - `complexity`: C0001E, the query's complexity is over Fluent's limit (11,111); a smaller page or batch may pass.
 * - `data`: anything else; permanent for this request.
 */
export type FluentErrorKind = 'permission' | 'server' | 'transient' | 'complexity' | 'data';

export interface FluentErrors {
  kind: FluentErrorKind;
  /** The code that decided `kind`, else the first code given, else undefined. */
  code: string | undefined;
  /** Every message, scrubbed, on one line, joined with `; `. */
  text: string;
  /** True when an error is C0020E or says in words that the login lacks a permission or is not authorised. */
  deniesPermission: boolean;
  /** A permission the text names, e.g. `CUSTOMER_CREATE`. */
  permission: string | undefined;
}

/** Fluent's codes: C (client), S (server) or T (third party), four digits, E (error) or W (warning). */
const FLUENT_CODE = /^[CST]\d{4}[EW]$/;
/**
 * A code anywhere in a message, as Fluent's SDK finds it (`\b[CST]\d{4}[EW]\b`): Fluent puts it at the start
 * (`C0020E: ...`, `C0011E Rate limit exceeded`) or inside a quoted text (`... : 'C0123E:Unique constraint ...'`).
 * The first one counts; `extensions.code`, when given, wins over the message. One stricter than the SDK: a code
 * quoted on its own (`username 'C0020E' not found`) is a value the message quotes, not Fluent's code, so a username
 * that looks like one cannot stop the run.
 */
const CODE_IN_MESSAGE = /\b([CST]\d{4}[EW])\b/g;
const TRANSIENT_CODES = new Set(['C0011E', 'C0003E']);
const SERVER_CODE = /^[ST]\d{4}E$/;
const COMPLEXITY_CODE = 'C0001E';
/** Fluent names permissions ENTITY_ACTION (CUSTOMER_VIEW, CUSTOMER_CREATE, ...). */
const PERMISSION_NAME = /\b((?:[A-Z][A-Z0-9]*_)+(?:VIEW|CREATE|UPDATE|DELETE))\b/;
/** How a 401 or 403 says "no permission" in words, when it carries no code. */
const PERMISSION_WORDS = [
  /\b(?:lacks?|lacking|missing|insufficient|without|(?:does|do) not have|doesn't have|has no)\b[^.;]{0,60}\bpermissions?\b/i,
  /\bpermissions?\b[^.;]{0,30}\b(?:denied|required|missing|insufficient)\b/i,
  /\bnot (?:authori[sz]ed|permitted|allowed) (?:to|for)\b/i,
];
/** One server message in an outcome reason is enough; a server that echoes a whole request would bloat reports. */
const MAX_MESSAGE_LENGTH = 500;

/**
 * Reads the errors of one answer: GraphQL's `errors[]`, or, in an answer with neither `errors` nor `data` (an
 * OAuth-style 401/403 body), its `error_description`, `error` and `message`.
 *
 * @param answer the parsed JSON body
 * @param clean applied to every message before anything else reads it: masks secrets, escapes control characters
 * @returns undefined when the answer holds no error
 */
export function readFluentErrors(answer: unknown, clean: (text: string) => string): FluentErrors | undefined {
  const entries = listErrors(answer).map(({ message, code }) => {
    const text = cap(clean(message));
    return { text, code: code ?? findCodeIn(text) };
  });
  if (entries.length === 0) return undefined;

  const codes = entries.flatMap((entry) => (entry.code ? [entry.code] : []));
  const text = entries.map((entry) => entry.text).join('; ');
  const permissionCode = codes.find((code) => code === 'C0020E');
  // A mutation answered with a server code may have been applied, so that outranks a rate limit beside it.
  const serverCode = codes.find((code) => SERVER_CODE.test(code));
  const transientCode = codes.find((code) => TRANSIENT_CODES.has(code));
  const complexityCode = codes.find((code) => code === COMPLEXITY_CODE);
  const [kind, code]: [FluentErrorKind, string | undefined] = permissionCode
    ? ['permission', permissionCode]
    : serverCode
      ? ['server', serverCode]
      : transientCode
        ? ['transient', transientCode]
        : complexityCode
          ? ['complexity', complexityCode]
          : ['data', codes.find((c) => c === 'C0123E') ?? codes[0]];
  return {
    kind,
    code,
    text,
    deniesPermission: permissionCode !== undefined || PERMISSION_WORDS.some((words) => words.test(text)),
    permission: text.match(PERMISSION_NAME)?.[1],
  };
}

function listErrors(answer: unknown): { message: string; code: string | undefined }[] {
  if (typeof answer !== 'object' || answer === null) return [];
  const body = answer as Record<string, unknown>;
  if (Array.isArray(body.errors)) {
    return body.errors.map((error) => {
      const { message, extensions } = (error ?? {}) as { message?: unknown; extensions?: { code?: unknown } | null };
      const code = extensions?.code;
      return {
        message: typeof message === 'string' && message !== '' ? message : 'unspecified GraphQL error',
        code: typeof code === 'string' && FLUENT_CODE.test(code) ? code : undefined,
      };
    });
  }
  if ('data' in body) return [];
  const parts = [body.error, body.error_description, body.message].filter(
    (part): part is string => typeof part === 'string' && part !== '',
  );
  return parts.length > 0 ? [{ message: parts.join(': '), code: undefined }] : [];
}

/** The first code of a message that is not a value quoted on its own. */
function findCodeIn(text: string): string | undefined {
  for (const match of text.matchAll(CODE_IN_MESSAGE)) {
    const before = text[match.index - 1];
    const after = text[match.index + match[0].length];
    const quoted = (before === "'" || before === '"') && after === before;
    if (!quoted) return match[1];
  }
  return undefined;
}

function cap(text: string): string {
  return text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;
}
