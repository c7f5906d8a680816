import fs from 'node:fs';
import type { Readable } from 'node:stream';
import tty from 'node:tty';
import { UsageError } from '../errors.js';
import { describeFsError } from '../shared/describeFsError.js';
import type { RandomAccess } from './openZipArchive.js';
import { readAt } from './spoolToPrivateFile.js';

/** The input's bytes as a stream, and how to name the input in messages. */
export interface ByteSource {
  /** The path as given, or "standard input" for `-`. */
  name: string;
  /** The raw bytes, from the start; destroying it releases the file or standard input. */
  stream: Readable;
  /**
   * For a regular file: the same open file, for reads at any offset (a workbook's zip directory is at its end). The
   * descriptor stays open until the stream is done and the reader has either held it (and closed that) or released
   * it; one of the two, once. Undefined for standard input.
   */
  file?: { hold(): HeldFile; release(): void };
}

/** The input file read at any offset, until close(). */
export interface HeldFile extends RandomAccess {
  close(): void;
}

/** The name a user types for standard input (SPEC §2). */
export const STDIN_PATH = '-';

/** Read size: large enough that per-chunk work vanishes, small enough that a stop is prompt. */
export const CHUNK_BYTES = 64 * 1024;

/**
 * Opens what the user named as input (SPEC §2): `-` is standard input; anything else must be a regular file.
 * The file is opened with O_NONBLOCK and checked with fstat on the open descriptor, so a named pipe with no writer
 * cannot hang the run in open() (where no signal reaches it), and the file checked is the file read. A symlink the
 * user names is followed: they chose it. Everything that is not a regular file is refused with one line.
 */
export async function openByteSource(
  path: string,
  options: { highWaterMark?: number | undefined; stdin?: Readable | undefined } = {},
): Promise<ByteSource> {
  if (path === STDIN_PATH) {
    // Typed at a prompt by mistake, `-` would wait for a whole export to be typed in.
    if (options.stdin === undefined && tty.isatty(0)) {
      throw new UsageError('standard input is a terminal; redirect a file to it (- < export.csv) or pipe one in');
    }
    return { name: 'standard input', stream: options.stdin ?? process.stdin };
  }
  if (path === '')
    throw new UsageError('the input file name is empty; name a CSV, .csv.gz or .xlsx file, or - for standard input');
  let handle: fs.promises.FileHandle;
  try {
    handle = await fs.promises.open(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  } catch (error) {
    throw new UsageError(describeOpenError(path, error as NodeJS.ErrnoException));
  }
  let size: number;
  try {
    const stat = await handle.stat();
    if (!stat.isFile()) throw new UsageError(`${path} ${describeNotAFile(stat)}`);
    size = stat.size;
  } catch (error) {
    await handle.close();
    throw error instanceof UsageError ? error : new UsageError(`${path} cannot be read: ${(error as Error).message}`);
  }
  // The descriptor closes when the stream and the reader are both done with it, whichever comes last.
  let holders = 2;
  const release = () => {
    if (--holders === 0) void handle.close().catch(() => {});
  };
  const stream = handle.createReadStream({
    start: 0,
    highWaterMark: options.highWaterMark ?? CHUNK_BYTES,
    autoClose: false,
  });
  let streamDone = false;
  const streamReleases = () => {
    if (streamDone) return;
    streamDone = true;
    release();
  };
  stream.once('end', streamReleases);
  stream.once('close', streamReleases);
  let decided = false;
  const decide = () => {
    if (decided) return false;
    decided = true;
    return true;
  };
  const file = {
    hold(): HeldFile {
      if (!decide()) throw new Error('the input file was already held or released');
      let closed = false;
      return {
        size,
        read: (position, length) => readAt(handle, position, length),
        close() {
          if (closed) return;
          closed = true;
          release();
        },
      };
    },
    release() {
      if (decide()) release();
    },
  };
  return { name: path, stream, file };
}

function describeOpenError(path: string, error: NodeJS.ErrnoException): string {
  switch (error.code) {
    case 'ENOENT':
      return `${path} does not exist`;
    case 'EACCES':
    case 'EPERM':
      return `${path} cannot be read: permission denied`;
    case 'EISDIR':
      return `${path} is a directory, not a CSV file`;
    case 'ENOTDIR':
      return `${path} does not exist: a part of the path is a file, not a folder`;
    case 'ELOOP':
      return `${path} cannot be read: too many levels of symbolic links`;
    case 'ENXIO':
      return `${path} is a socket or a device with nothing behind it, not a file`;
    default:
      return `${path} cannot be read: ${describeFsError(error)}`;
  }
}

function describeNotAFile(stat: fs.Stats): string {
  if (stat.isDirectory()) return 'is a directory, not a CSV file';
  if (stat.isFIFO()) return 'is a named pipe; to read from a pipe pass - and redirect it to standard input';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'is a device, not a file';
  if (stat.isSocket()) return 'is a socket, not a file';
  return 'is not a regular file';
}
