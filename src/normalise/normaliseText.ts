/** Anything outside printable ASCII: the only text that may need NFC or whitespace collapsing beyond spaces. */
const NOT_PRINTABLE_ASCII = /[^\x20-\x7e]/;
/** Anything outside ASCII: only such text can change under NFC. */
const NOT_ASCII = /[\u0080-\uffff]/;
const WHITESPACE_RUN = /\s+/g;
const SPACE_RUN = / {2,}/g;

/**
 * Normalises one cell's text (SPEC §3): Unicode NFC, trimmed, every run of whitespace (newlines and tabs included)
 * collapsed to one space. Idempotent. Plain printable ASCII — nearly every cell — takes a path with no regex replace
 * and no `normalize()` call, because this runs for every cell of every row.
 */
export function normaliseText(value: string): string {
  if (value.length === 0) return value;
  if (!NOT_PRINTABLE_ASCII.test(value)) {
    // Printable ASCII: NFC is a no-op and the only whitespace is the plain space.
    const trimmed = value.charCodeAt(0) === 32 || value.charCodeAt(value.length - 1) === 32 ? value.trim() : value;
    return trimmed.includes('  ') ? trimmed.replace(SPACE_RUN, ' ') : trimmed;
  }
  const composed = NOT_ASCII.test(value) ? value.normalize('NFC') : value;
  return composed.replace(WHITESPACE_RUN, ' ').trim();
}
