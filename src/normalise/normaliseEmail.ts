import { quoteValue } from './quoteValue.js';

export type EmailResult = { ok: true; email: string } | { ok: false; reason: string };

const ATOM = "[a-z0-9!#$%&'*+/=?^_`{|}~-]+";
const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const TOP_LABEL = '[a-z](?:[a-z0-9-]*[a-z0-9])';
/** Pragmatic, not RFC 5322: dot-separated atoms, one @, a domain with a dot and a top label of 2+ characters. */
const ASCII_EMAIL = new RegExp(`^${ATOM}(?:\\.${ATOM})*@(?:${LABEL}\\.)+${TOP_LABEL}$`);
/** The same shape for internationalised addresses (letters and digits of any script). */
const UNICODE_EMAIL = new RegExp(
  `^${ATOM.replace('a-z0-9', '\\p{L}\\p{M}\\p{N}')}(?:\\.${ATOM.replace('a-z0-9', '\\p{L}\\p{M}\\p{N}')})*@` +
    `(?:${LABEL.replaceAll('a-z0-9', '\\p{L}\\p{M}\\p{N}')}\\.)+${TOP_LABEL.replace('[a-z]', '[\\p{L}]').replaceAll('a-z0-9', '\\p{L}\\p{M}\\p{N}')}$`,
  'u',
);
const NOT_ASCII = /[\u0080-\uffff]/;

/**
 * Lower-cases and checks a normalised email cell (SPEC §3). Pragmatic rules: one @, no spaces, a dot in the domain,
 * sane characters; `jane@`, `@x.com`, `jane.example.com`, `jane@@x.com` and `jane doe@x.com` are rejected.
 */
export function normaliseEmail(value: string): EmailResult {
  const email = value.toLowerCase();
  const valid = NOT_ASCII.test(email) ? UNICODE_EMAIL.test(email) : ASCII_EMAIL.test(email);
  return valid
    ? { ok: true, email }
    : { ok: false, reason: `primaryEmail ${quoteValue(value)} is not a valid email address` };
}
