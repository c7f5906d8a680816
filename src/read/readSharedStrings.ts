import { parseXmlPart, type XmlHandler } from './parseXmlPart.js';

/** The workbook's shared strings, by index: their UTF-8 bytes packed in large buffers, not one JS string each. */
export interface SharedStrings {
  readonly count: number;
  /** The string at `index`, or undefined when the workbook holds no such string. */
  get(index: number): string | undefined;
}

/** Why the shared strings were not read whole: more of them, or more text, than the limits allow. */
export class SharedStringsLimitError extends Error {
  override name = 'SharedStringsLimitError';
  constructor(readonly limit: 'count' | 'bytes' | 'string') {
    super(`over the shared strings ${limit} limit`);
  }
}

export interface SharedStringsLimits {
  /** Most strings kept. */
  count: number;
  /** Most bytes of text (UTF-8) kept, all strings together. */
  bytes: number;
  /** Most characters of one string, and of any stretch of XML without a tag. */
  stringChars: number;
}

const CHUNK_BYTES = 16 * 1024 * 1024;
const ESCAPED = /_x([0-9A-Fa-f]{4})_/g;

/**
 * Reads `xl/sharedStrings.xml` (ECMA-376 §18.4): each `<si>` is one string, its plain text and its rich-text runs'
 * texts joined, phonetic guides (`<rPh>`) left out as Excel shows them; `_xHHHH_` escapes (how Excel stores a
 * character XML cannot hold, such as a carriage return) are decoded. Kept compact: ~9 bytes per string besides its
 * text, so the limits, not the number of JS objects, bound the memory.
 *
 * @throws SharedStringsLimitError past `limits.count` strings or `limits.bytes` bytes of text, found as they are read
 */
export async function readSharedStrings(
  chunks: AsyncIterable<Buffer>,
  limits: SharedStringsLimits,
): Promise<SharedStrings> {
  const store = createStore(limits);
  let inString = false;
  let inText = false;
  let phonetic = 0;
  let text = '';
  const handler: XmlHandler = {
    open(name) {
      if (name === 'si') {
        inString = true;
        text = '';
      } else if (name === 'rPh') phonetic++;
      else if (name === 't' && inString && phonetic === 0) inText = true;
    },
    close(name) {
      if (name === 't') inText = false;
      else if (name === 'rPh') phonetic--;
      else if (name === 'si' && inString) {
        inString = false;
        store.add(text.includes('_x') ? decodeEscapes(text) : text);
        text = '';
      }
    },
    text(value) {
      if (!inText) return;
      text += value;
      if (text.length > limits.stringChars) throw new SharedStringsLimitError('string');
    },
  };
  for await (const _ of parseXmlPart(chunks, handler, limits.stringChars)) {
    // The handler keeps every string as it ends.
  }
  return store;
}

/** `_xHHHH_` as the character it stands for (ST_Xstring); `_x005F_` escapes a literal underscore-x. */
export function decodeEscapes(text: string): string {
  return text.replace(ESCAPED, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
}

function createStore(limits: SharedStringsLimits): SharedStrings & { add(text: string): void } {
  const chunks: Buffer[] = [];
  let chunk = Buffer.allocUnsafe(0);
  let used = 0;
  let total = 0;
  let count = 0;
  let chunkOf = new Uint16Array(1024);
  let startOf = new Uint32Array(1024);
  let lengthOf = new Uint32Array(1024);
  const grow = () => {
    const size = chunkOf.length * 2;
    const copy = <T extends Uint16Array | Uint32Array>(from: T, to: T): T => {
      to.set(from);
      return to;
    };
    chunkOf = copy(chunkOf, new Uint16Array(size));
    startOf = copy(startOf, new Uint32Array(size));
    lengthOf = copy(lengthOf, new Uint32Array(size));
  };
  return {
    get count() {
      return count;
    },
    add(text) {
      if (count >= limits.count) throw new SharedStringsLimitError('count');
      const bytes = Buffer.byteLength(text);
      total += bytes;
      if (total > limits.bytes) throw new SharedStringsLimitError('bytes');
      if (used + bytes > chunk.length) {
        chunk = Buffer.allocUnsafe(Math.max(CHUNK_BYTES, bytes));
        chunks.push(chunk);
        used = 0;
      }
      if (count === chunkOf.length) grow();
      chunk.write(text, used, 'utf8');
      chunkOf[count] = chunks.length - 1;
      startOf[count] = used;
      lengthOf[count] = bytes;
      used += bytes;
      count++;
    },
    get(index) {
      if (!Number.isInteger(index) || index < 0 || index >= count) return undefined;
      const start = startOf[index] as number;
      return (chunks[chunkOf[index] as number] as Buffer).toString('utf8', start, start + (lengthOf[index] as number));
    },
  };
}
