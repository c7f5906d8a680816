import { UsageError } from '../errors.js';

/** Node's names for the encodings TextDecoder spells differently (or not at all). */
const NODE_NAMES: Readonly<Record<string, string>> = {
  utf8: 'utf-8',
  ucs2: 'utf-16le',
  'ucs-2': 'utf-16le',
  utf16le: 'utf-16le',
  binary: 'latin1',
};

const NOT_TEXT = new Set(['base64', 'base64url', 'hex']);

/**
 * The canonical (WHATWG) name of a `--encoding` value: Node Buffer names (`utf8`, `latin1`, `ucs2`, …) and every label
 * TextDecoder knows (`windows-1252`, `iso-8859-15`, `shift_jis`, …). As in browsers, `latin1` and `ascii` decode as
 * windows-1252, which agrees with ISO-8859-1 on every printable character and also reads the €, curly quotes and
 * dashes that "Latin-1" exports from Excel contain. UsageError for an unknown name.
 */
export function resolveEncoding(name: string): string {
  const lower = name.trim().toLowerCase();
  if (NOT_TEXT.has(lower))
    throw new UsageError(`--encoding "${name}" is not a text encoding; try utf8, latin1 or windows-1252`);
  try {
    return new TextDecoder(NODE_NAMES[lower] ?? lower).encoding;
  } catch {
    throw new UsageError(`--encoding "${name}" is not an encoding Node knows; try utf8, latin1 or windows-1252`);
  }
}
