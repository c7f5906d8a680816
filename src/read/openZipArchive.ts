import { pipeline, Readable } from 'node:stream';
import { crc32, createInflateRaw } from 'node:zlib';

/** Bytes at any offset of a file: the input itself, or standard input spooled to a private file. */
export interface RandomAccess {
  readonly size: number;
  /** The bytes from `position`, `length` of them or fewer at the end of the file. */
  read(position: number, length: number): Promise<Buffer>;
}

/** One file of a zip archive, as its central directory describes it. */
export interface ZipEntry {
  /** As stored, e.g. `xl/worksheets/sheet1.xml`. */
  name: string;
  method: number;
  flags: number;
  crc: number;
  compressedSize: number;
  /** What the entry says it decompresses to; never trusted alone (see inflateEntry). */
  uncompressedSize: number;
  localHeaderOffset: number;
}

/** Why a zip archive cannot be read: `cut` when its directory is missing or points past its end. */
export class ZipFormatError extends Error {
  override name = 'ZipFormatError';
  constructor(
    readonly kind: 'cut' | 'corrupt' | 'unsupported' | 'oversized',
    message: string,
  ) {
    super(message);
  }
}

export interface ZipArchive {
  entries: readonly ZipEntry[];
  /** The entry of that name (part names are case-insensitive, as in Office), if the archive holds it. */
  find(name: string): ZipEntry | undefined;
  /**
   * The entry's bytes, decompressed as they are read. More bytes than the entry declares, fewer, or a checksum that
   * does not match are a ZipFormatError: declared sizes can lie, so the output is counted as it comes.
   */
  inflate(entry: ZipEntry): AsyncGenerator<Buffer, void, undefined>;
}

const END_OF_DIRECTORY = 0x06054b50;
const ZIP64_LOCATOR = 0x07064b50;
const ZIP64_END_OF_DIRECTORY = 0x06064b50;
const DIRECTORY_ENTRY = 0x02014b50;
const LOCAL_HEADER = 0x04034b50;
const END_RECORD_BYTES = 22;
const MAX_COMMENT = 0xffff;
/** A workbook holds tens of parts; far more is no workbook this tool reads, and each costs memory here. */
const MAX_ENTRIES = 100_000;
const MAX_DIRECTORY_BYTES = 64 * 1024 * 1024;
const READ_CHUNK = 64 * 1024;
const STORED = 0;
const DEFLATED = 8;
const ENCRYPTED = 0x1;
const UTF8_NAMES = 0x800;

/**
 * Opens a zip archive by its central directory (at its end), so its parts can be read in any order: a workbook's
 * sheets come before its shared strings in Excel's own files, and a reader that takes the archive front to back
 * must park them somewhere until the strings come. Zip64 is read; encrypted entries and methods other than stored
 * and deflate are refused when inflated.
 *
 * @throws ZipFormatError for an archive without a directory (cut short), a directory that does not hold together,
 *   or one of more than 100,000 entries
 */
export async function openZipArchive(access: RandomAccess): Promise<ZipArchive> {
  const { size } = access;
  const tailLength = Math.min(size, END_RECORD_BYTES + MAX_COMMENT);
  const tail = await access.read(size - tailLength, tailLength);
  const end = findEndRecord(tail);
  if (end === -1) throw new ZipFormatError('cut', 'no zip directory at its end');
  const endAt = size - tailLength + end;
  let count = tail.readUInt16LE(end + 10);
  let directorySize = tail.readUInt32LE(end + 12);
  let directoryOffset = tail.readUInt32LE(end + 16);
  if (count === 0xffff || directorySize === 0xffffffff || directoryOffset === 0xffffffff) {
    const locator = endAt >= 20 ? await access.read(endAt - 20, 20) : Buffer.alloc(0);
    if (locator.length === 20 && locator.readUInt32LE(0) === ZIP64_LOCATOR) {
      const record = await access.read(readSize(locator, 8), 56);
      if (record.length < 56 || record.readUInt32LE(0) !== ZIP64_END_OF_DIRECTORY) {
        throw new ZipFormatError('corrupt', 'its zip64 directory record is missing');
      }
      count = readSize(record, 32);
      directorySize = readSize(record, 40);
      directoryOffset = readSize(record, 48);
    }
  }
  if (count > MAX_ENTRIES) throw new ZipFormatError('oversized', `it holds ${count} files, more than a workbook`);
  if (directorySize > MAX_DIRECTORY_BYTES) throw new ZipFormatError('oversized', 'its zip directory is too large');
  if (directoryOffset + directorySize > endAt) throw new ZipFormatError('cut', 'its zip directory points past its end');
  const directory = await access.read(directoryOffset, directorySize);
  if (directory.length < directorySize) throw new ZipFormatError('cut', 'its zip directory is cut short');

  const entries = parseDirectory(directory, count);
  const byName = new Map<string, ZipEntry>();
  for (const entry of entries) {
    const key = partKey(entry.name);
    if (byName.has(key)) throw new ZipFormatError('corrupt', `it holds two parts named ${entry.name}`);
    byName.set(key, entry);
  }
  return {
    entries,
    find: (name) => byName.get(partKey(name)),
    inflate: (entry) => inflateEntry(access, entry),
  };
}

function partKey(name: string): string {
  return name.replace(/^\/+/, '').toLowerCase();
}

/** The last end-of-directory record whose comment fits the bytes after it. */
function findEndRecord(tail: Buffer): number {
  for (let at = tail.length - END_RECORD_BYTES; at >= 0; at--) {
    if (
      tail.readUInt32LE(at) === END_OF_DIRECTORY &&
      at + END_RECORD_BYTES + tail.readUInt16LE(at + 20) <= tail.length
    ) {
      return at;
    }
  }
  return -1;
}

function readSize(buffer: Buffer, at: number): number {
  const value = buffer.readBigUInt64LE(at);
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw new ZipFormatError('corrupt', 'a size in it is out of range');
  return Number(value);
}

function parseDirectory(directory: Buffer, count: number): ZipEntry[] {
  const entries: ZipEntry[] = [];
  let at = 0;
  for (let i = 0; i < count; i++) {
    if (at + 46 > directory.length || directory.readUInt32LE(at) !== DIRECTORY_ENTRY) {
      throw new ZipFormatError('corrupt', 'its zip directory is damaged');
    }
    const flags = directory.readUInt16LE(at + 8);
    const nameLength = directory.readUInt16LE(at + 28);
    const extraLength = directory.readUInt16LE(at + 30);
    const commentLength = directory.readUInt16LE(at + 32);
    const next = at + 46 + nameLength + extraLength + commentLength;
    if (next > directory.length) throw new ZipFormatError('corrupt', 'its zip directory is damaged');
    const entry: ZipEntry = {
      name: directory.toString(flags & UTF8_NAMES ? 'utf8' : 'latin1', at + 46, at + 46 + nameLength),
      method: directory.readUInt16LE(at + 10),
      flags,
      crc: directory.readUInt32LE(at + 16),
      compressedSize: directory.readUInt32LE(at + 20),
      uncompressedSize: directory.readUInt32LE(at + 24),
      localHeaderOffset: directory.readUInt32LE(at + 42),
    };
    readZip64Sizes(directory.subarray(at + 46 + nameLength, at + 46 + nameLength + extraLength), entry);
    entries.push(entry);
    at = next;
  }
  return entries;
}

/** Sizes and offsets too large for 32 bits are in the zip64 extra field, in this order, when their field is all ones. */
function readZip64Sizes(extra: Buffer, entry: ZipEntry): void {
  for (let at = 0; at + 4 <= extra.length; ) {
    const id = extra.readUInt16LE(at);
    const length = extra.readUInt16LE(at + 2);
    if (id === 0x0001) {
      let field = at + 4;
      const take = (): number => {
        if (field + 8 > at + 4 + length || field + 8 > extra.length) {
          throw new ZipFormatError('corrupt', 'its zip64 sizes are damaged');
        }
        const value = readSize(extra, field);
        field += 8;
        return value;
      };
      if (entry.uncompressedSize === 0xffffffff) entry.uncompressedSize = take();
      if (entry.compressedSize === 0xffffffff) entry.compressedSize = take();
      if (entry.localHeaderOffset === 0xffffffff) entry.localHeaderOffset = take();
      return;
    }
    at += 4 + length;
  }
}

async function* inflateEntry(access: RandomAccess, entry: ZipEntry): AsyncGenerator<Buffer, void, undefined> {
  if (entry.flags & ENCRYPTED) throw new ZipFormatError('unsupported', `its part ${entry.name} is encrypted`);
  if (entry.method !== STORED && entry.method !== DEFLATED) {
    throw new ZipFormatError('unsupported', `its part ${entry.name} uses compression method ${entry.method}`);
  }
  const header = await access.read(entry.localHeaderOffset, 30);
  if (header.length < 30) throw new ZipFormatError('cut', `its part ${entry.name} is missing`);
  if (header.readUInt32LE(0) !== LOCAL_HEADER) throw new ZipFormatError('corrupt', `its part ${entry.name} is damaged`);
  const start = entry.localHeaderOffset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
  if (start + entry.compressedSize > access.size)
    throw new ZipFormatError('cut', `its part ${entry.name} is cut short`);

  const compressed = Readable.from(readRange(access, start, entry.compressedSize), { objectMode: false });
  const output =
    entry.method === STORED
      ? compressed
      : pipeline(compressed, createInflateRaw({ chunkSize: READ_CHUNK }), () => {
          // Failures reach the loop below through the output stream.
        });
  let produced = 0;
  let checksum = 0;
  try {
    for await (const chunk of output as AsyncIterable<Buffer>) {
      produced += chunk.length;
      if (produced > entry.uncompressedSize) {
        throw new ZipFormatError(
          'oversized',
          `its part ${entry.name} decompresses to more than the ${entry.uncompressedSize} bytes it declares`,
        );
      }
      checksum = crc32(chunk, checksum);
      yield chunk;
    }
  } catch (error) {
    if (error instanceof ZipFormatError) throw error;
    throw new ZipFormatError('corrupt', `its part ${entry.name} is damaged (${(error as Error).message})`);
  } finally {
    output.destroy();
    compressed.destroy();
  }
  if (produced !== entry.uncompressedSize || checksum !== entry.crc) {
    throw new ZipFormatError('corrupt', `its part ${entry.name} is damaged (its size or checksum is wrong)`);
  }
}

async function* readRange(access: RandomAccess, start: number, length: number): AsyncGenerator<Buffer> {
  for (let done = 0; done < length; ) {
    const chunk = await access.read(start + done, Math.min(READ_CHUNK, length - done));
    if (chunk.length === 0) throw new ZipFormatError('cut', 'it ends before its data');
    done += chunk.length;
    yield chunk;
  }
}
