import fs from 'node:fs';
import { openPrivateFile } from '../privateFs.js';

/** About 64 KiB of text per write: few system calls, and memory stays flat however many rows there are. */
const CHUNK_CHARS = 64 * 1024;

/** A private (0600) text file written in chunks; `close` flushes what is left. */
export interface TextSink {
  write(text: string): void;
  close(): void;
}

/**
 * Opens `filePath` owner-only and returns a sink that gathers text into ~64 KiB chunks before each
 * synchronous write, so writers can stream millions of lines with bounded memory. Synchronous on purpose:
 * the report is written once at the end of a run, and this keeps the writers plain loops over iterables.
 */
export function openTextSink(filePath: string): TextSink {
  const fd = openPrivateFile(filePath);
  let parts: string[] = [];
  let pending = 0;
  let closed = false;

  const flush = (): void => {
    if (pending === 0) return;
    const bytes = Buffer.from(parts.join(''), 'utf8');
    parts = [];
    pending = 0;
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
  };

  return {
    write(text: string): void {
      if (closed) throw new Error(`Cannot write to ${filePath}: it is already closed`);
      parts.push(text);
      pending += text.length;
      if (pending >= CHUNK_CHARS) flush();
    },
    close(): void {
      if (closed) return;
      closed = true;
      try {
        flush();
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}

/** Writes every piece of `texts` to a new private file at `filePath`, streaming (see `openTextSink`). */
export function writeTextFile(filePath: string, texts: Iterable<string>): void {
  const sink = openTextSink(filePath);
  try {
    for (const text of texts) sink.write(text);
  } finally {
    sink.close();
  }
}
