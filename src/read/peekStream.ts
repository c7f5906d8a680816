import { PassThrough, type Readable } from 'node:stream';

/** The first bytes of a stream, and a stream of all its bytes again, those first ones included. */
export interface Peeked {
  head: Buffer;
  stream: Readable;
}

/**
 * Reads the first `size` bytes (fewer when the stream ends sooner) without losing them, so a pipe or a gzip stream,
 * which cannot be read twice, can still be sniffed (magic bytes, binary, delimiter) before it is parsed. An error of
 * the source rejects the peek, or later destroys the returned stream with that error.
 */
export async function peekStream(source: Readable, size: number): Promise<Peeked> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length < size) {
    const chunk = source.read() as Buffer | null;
    if (chunk !== null) {
      chunks.push(chunk);
      length += chunk.length;
    } else if (source.readableEnded) {
      break;
    } else {
      await waitForData(source);
    }
  }
  const head = chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, length);
  const stream = new PassThrough({ readableHighWaterMark: size });
  if (length > 0) stream.write(head);
  if (source.readableEnded) {
    stream.end();
  } else {
    source.once('error', (error) => stream.destroy(error));
    // A stop downstream (an abort, a refused file) must release the source too.
    stream.once('close', () => source.destroy());
    source.pipe(stream);
  }
  return { head: head.subarray(0, size), stream };
}

/** Resolves when the stream has data or has ended; rejects with its error. Leaves no listener behind. */
function waitForData(source: Readable): Promise<void> {
  return new Promise((resolve, reject) => {
    const done = (error?: Error) => {
      source.off('readable', onReadable);
      source.off('end', onReadable);
      source.off('close', onClose);
      source.off('error', done);
      if (error) reject(error);
      else resolve();
    };
    const onReadable = () => done();
    const onClose = () =>
      done(source.errored ?? (source.readableEnded ? undefined : new Error('the input closed early')));
    source.on('readable', onReadable);
    source.on('end', onReadable);
    source.on('close', onClose);
    source.on('error', done);
  });
}
