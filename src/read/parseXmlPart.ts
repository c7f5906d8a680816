import { TextDecoder } from 'node:util';
import { SaxesParser } from 'saxes';

/** What a reader of one workbook part does with its XML, element by element; names come without their prefix. */
export interface XmlHandler {
  open(name: string, attributes: Record<string, string>): void;
  close(name: string): void;
  /** Text and CDATA, as decoded (entities and character references resolved). */
  text(text: string): void;
}

/** A stretch of XML with no element boundary in it, longer than any cell or string a workbook may hold. */
export class XmlRunError extends Error {
  override name = 'XmlRunError';
}

/**
 * Feeds a part's XML to `handler` as its bytes come, and yields after each chunk so the caller can take what the
 * handler gathered: memory holds one chunk and what the handler keeps. The bytes are UTF-8 (or UTF-16 with its byte
 * order mark), decoded across chunk boundaries. saxes reads no DTD, so no entity can expand.
 *
 * @throws XmlRunError when more than `maxRun` characters go by without an element starting or ending (a text node
 *   or a tag of gigabytes would otherwise be held whole by the parser); Error for XML that is not well-formed
 */
export async function* parseXmlPart(
  chunks: AsyncIterable<Buffer>,
  handler: XmlHandler,
  maxRun: number,
): AsyncGenerator<void, void, undefined> {
  const parser = new SaxesParser({ position: false });
  let failure: Error | undefined;
  let boundary = false;
  parser.on('opentag', (tag) => {
    boundary = true;
    handler.open(localName(tag.name), tag.attributes as Record<string, string>);
  });
  parser.on('closetag', (tag) => {
    boundary = true;
    handler.close(localName(tag.name));
  });
  parser.on('text', (text) => handler.text(text));
  parser.on('cdata', (text) => handler.text(text));
  parser.on('error', (error) => {
    failure ??= error;
  });

  let decoder: TextDecoder | undefined;
  let run = 0;
  const feed = (text: string) => {
    boundary = false;
    parser.write(text);
    if (failure) throw failure;
    run = boundary ? 0 : run + text.length;
    if (run > maxRun) throw new XmlRunError(`more than ${maxRun} characters without a tag`);
  };
  for await (const chunk of chunks) {
    decoder ??= new TextDecoder(chunk[0] === 0xff && chunk[1] === 0xfe ? 'utf-16le' : 'utf-8');
    feed(decoder.decode(chunk, { stream: true }));
    yield;
  }
  if (decoder) feed(decoder.decode());
  parser.close();
  if (failure) throw failure;
  yield;
}

/** The attribute of that local name (`id` finds `r:id` whatever the prefix). */
export function attributeOf(attributes: Record<string, string>, name: string): string | undefined {
  const direct = attributes[name];
  if (direct !== undefined) return direct;
  for (const [key, value] of Object.entries(attributes)) if (localName(key) === name) return value;
  return undefined;
}

function localName(name: string): string {
  const colon = name.indexOf(':');
  return colon === -1 ? name : name.slice(colon + 1);
}
