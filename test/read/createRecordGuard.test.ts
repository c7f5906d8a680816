import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  COUNT_FIELDS_FROM,
  createRecordGuard,
  MAX_FIELDS,
  MAX_RECORD_BYTES,
  RecordLimitError,
} from '../../src/read/createRecordGuard.js';

/** Feeds `bytes` through a guard in chunks of the given sizes; the bytes it let through, or its error. */
async function guard(
  bytes: Buffer,
  chunkSizes: number[] = [64 * 1024],
  delimiter = ',',
): Promise<{ out: Buffer; error?: RecordLimitError }> {
  const stream = createRecordGuard(delimiter);
  const out: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => out.push(chunk));
  const done = new Promise<RecordLimitError | undefined>((resolve) => {
    stream.on('end', () => resolve(undefined));
    stream.on('error', (error) => resolve(error as RecordLimitError));
  });
  let at = 0;
  for (let i = 0; at < bytes.length; i++) {
    const size = Math.max(1, chunkSizes[i % chunkSizes.length] ?? 1);
    stream.write(bytes.subarray(at, at + size));
    at += size;
  }
  stream.end();
  const error = await done;
  return { out: Buffer.concat(out), ...(error ? { error } : {}) };
}

/** Line breaks as the reader counts them: CRLF once. */
function countBreaks(text: string): number {
  return (text.match(/\r\n|\r|\n/g) ?? []).length;
}

const lineEnd = fc.constantFrom('\n', '\r\n', '\r');
/** Cells that move csv-parse's quote state around: quoted ones with delimiters, doubled quotes and line breaks, stray quotes. */
const cell = fc.oneof(
  fc.constantFrom('', 'Ann', 'O"Brien', 'a""b', '"x"y', '""', '"a,b"', '"say ""hi"""', '"two\nlines"', '"crlf\r\nin"'),
  fc.constantFrom('"cr\rin"', '"trailing quote """', '"', 'x"'),
  fc.string({ unit: fc.constantFrom('a', ' ', ';', '\t'), maxLength: 5 }),
);
/** Well-formed records (every quote they open, they close), each with its line ending. */
const records = fc.array(
  fc.tuple(fc.array(cell, { minLength: 1, maxLength: 6 }), lineEnd).map(([cells, end]) => {
    // A lone quote or x" as a whole quoted cell would leave it open; keep them mid-field, where they are text.
    const safe = cells.map((c) => (c === '"' ? 'q"q' : c === 'x"' ? 'x"x' : c));
    return `${safe.join(',')}${end}`;
  }),
  { maxLength: 25 },
);

/** Delimiters that make a record too wide however it is chunked (the first bytes of a record go uncounted). */
const TOO_MANY = MAX_FIELDS + COUNT_FIELDS_FROM;

describe('createRecordGuard', () => {
  it('passes every byte through unchanged', async () => {
    const text = Buffer.from('\uFEFF"a","b"\r\n"multi\nline",x\n\nO"Brien,"""q"""\r');
    for (const sizes of [[1], [2, 3], [1000]]) {
      expect((await guard(text, sizes)).out.equals(text)).toBe(true);
    }
  });

  it('names the start line of a record with too many fields, whatever quoting came before, in any chunking', async () => {
    await fc.assert(
      fc.asyncProperty(
        records,
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 5 }),
        async (before, sizes) => {
          const prefix = before.join('');
          const { error } = await guard(Buffer.from(`${prefix}${','.repeat(TOO_MANY)}\n`), sizes);
          expect(error).toBeInstanceOf(RecordLimitError);
          expect(error?.limit).toBe('fields');
          expect(error?.line).toBe(countBreaks(prefix) + 1);
        },
      ),
      { numRuns: 60 },
    );
  });

  it('lets well-formed records through, however they are chunked', async () => {
    await fc.assert(
      fc.asyncProperty(records, fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1 }), async (rows, sizes) => {
        const bytes = Buffer.from(rows.join(''));
        const { out, error } = await guard(bytes, sizes);
        expect(error).toBeUndefined();
        expect(out.equals(bytes)).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('lets a record of MAX_FIELDS fields through', async () => {
    for (const sizes of [[1], [7], [64 * 1024]]) {
      expect((await guard(Buffer.from(`a\n${','.repeat(MAX_FIELDS - 1)}\nb\n`), sizes)).error).toBeUndefined();
    }
  });

  it('does not count delimiters inside a quoted cell', async () => {
    const { error } = await guard(Buffer.from(`a,b\n1,"${','.repeat(MAX_FIELDS * 2)}"\n`), [4096]);
    expect(error).toBeUndefined();
  });

  it('counts the fields of a record across its lines (a quoted line break does not end it)', async () => {
    const half = ','.repeat(MAX_FIELDS / 2);
    const { error } = await guard(Buffer.from(`a\n${half}"\n"${half}"\n"${half}\n`), [1000]);
    expect(error).toMatchObject({ limit: 'fields', line: 2 });
  });

  it('refuses a record over the byte limit inside a quote that never closes, naming where it starts', async () => {
    const { error } = await guard(Buffer.from(`a,b\n1,2\n3,"${'x\n'.repeat(MAX_RECORD_BYTES / 2)}`), [64 * 1024]);
    expect(error).toMatchObject({ limit: 'bytes', line: 3 });
  });

  it('counts the delimiter it is given: semicolons for a ;-file, commas then being text', async () => {
    expect((await guard(Buffer.from(`a;b\n${','.repeat(MAX_FIELDS)}\n`), [4096], ';')).error).toBeUndefined();
    const { error } = await guard(Buffer.from(`a;b\n${';'.repeat(MAX_FIELDS)}\n`), [4096], ';');
    expect(error).toMatchObject({ limit: 'fields', line: 2 });
  });

  it('stops before the chunk that crosses a limit reaches the parser', async () => {
    const head = 'a,b\n1,2\n';
    const { out, error } = await guard(Buffer.from(`${head}${','.repeat(MAX_FIELDS * 4)}\n`), [head.length, 64 * 1024]);
    expect(error?.limit).toBe('fields');
    expect(out.toString()).toBe(head);
  });
});
