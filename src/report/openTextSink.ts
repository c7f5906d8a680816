import fs from 'node:fs';

/** About 64 KiB of text per write: few system calls, and memory stays flat however many rows there are. */
const CHUNK_CHARS = 64 * 1024;

/** Text written in chunks to a file the caller created; `close` flushes what is left. */
export interface TextSink {
  write(text: string): void;
  /** Flushes, forces the data to disk and closes the file. Safe to call twice. */
  close(): void;
}

/**
 * Returns a sink over the open file `fd` that gathers text into ~64 KiB chunks before each synchronous write, so
 * writers can stream millions of lines with bounded memory. Synchronous on purpose: the report is written once at
 * the end of a run, and this keeps the writers plain loops over iterables. `close` syncs the file to disk before
 * closing it, so a late error (a full disk, a quota, an NFS server) surfaces here rather than after the file was
 * put in place, and a file renamed into place after a crash is not empty. The sink owns `fd` and closes it.
 */
export function openTextSink(fd: number): TextSink {
  let parts: string[] = [];
  let pending = 0;
  let closed = false;

  const flush = (): void => {
    if (pending === 0) return;
    const bytes = Buffer.from(parts.join(''), 'utf8');
    // Dropped before writing: after a failed write, close() must not try the same bytes again.
    parts = [];
    pending = 0;
    let offset = 0;
    while (offset < bytes.length) offset += fs.writeSync(fd, bytes, offset, bytes.length - offset);
  };

  return {
    write(text: string): void {
      if (closed) throw new Error('broken invariant: a report file was written after it was closed');
      parts.push(text);
      pending += text.length;
      if (pending >= CHUNK_CHARS) flush();
    },
    close(): void {
      if (closed) return;
      closed = true;
      try {
        flush();
        fs.fsyncSync(fd);
      } finally {
        fs.closeSync(fd);
      }
    },
  };
}
