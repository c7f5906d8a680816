import { createHash } from 'node:crypto';
import { Transform } from 'node:stream';

/** SHA-256 and size of the input's bytes as given (compressed, for a .gz), for report.json's `input`. */
export interface InputDigest {
  sha256: string;
  bytes: number;
  /**
   * False when reading stopped before the end (an aborted run, a refused record): sha256 and bytes then cover only
   * what was read. The rest is never read again just to hash it: standard input cannot be, and a stop must be prompt.
   */
  complete: boolean;
}

/** A pass-through stage that hashes every byte going by, and the digest of what it has seen. */
export interface DigestStage {
  transform: Transform;
  digest(): InputDigest;
}

/** Hashes the raw input while it streams, so the file is read once, also when it is standard input. */
export function createDigestStage(): DigestStage {
  const hash = createHash('sha256');
  let bytes = 0;
  let final: InputDigest | undefined;
  const transform = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      hash.update(chunk);
      bytes += chunk.length;
      callback(null, chunk);
    },
    flush(callback) {
      final = { sha256: hash.digest('hex'), bytes, complete: true };
      callback();
    },
  });
  return {
    transform,
    digest: () => final ?? { sha256: hash.copy().digest('hex'), bytes, complete: false },
  };
}
