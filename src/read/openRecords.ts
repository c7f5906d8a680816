import crypto from 'node:crypto';
import { UsageError } from '../errors.js';
import { loadMapping } from '../normalise/loadMapping.js';
import type { ResolvedOptions } from '../options/index.js';
import type { RawRow } from '../types.js';
import { type Input, prepareInput } from './openInput.js';
import type { InputSource } from './readRows.js';

/** A record's value that is none of text, a number or yes/no: it cannot stand for a cell. */
const NOT_A_CELL = Symbol('not a cell');

/**
 * Customer records handed to the package API (ensureCustomers) as an input read like a file (SPEC §7): the header is
 * every key the records use, in the order they first appear, and each record a row of cells in that order, so the
 * column layout, the mapping (`--mapping`, for raw rows), the username template and normaliseRow treat them exactly as
 * they treat a CSV with those columns. Row N is the Nth record; its `line` is N + 1, as in a CSV of them. Text is
 * taken as it is (no `'` is taken off, nothing is decoded), a number or true/false as its text, null or undefined as an
 * empty cell ("no value").
 *
 * @throws UsageError for an entry that is not an object, for a value of a column the run reads (a mapped field or
 *   attribute, a `{column:…}` of the template) that is an object, an array or a function — before anything is sent;
 *   keys the run ignores may hold anything — and for the file problems openInput names (a bad mapping, no email and no
 *   username among the keys).
 */
export function openRecords(
  records: readonly unknown[],
  options: Pick<
    ResolvedOptions,
    'mapping' | 'usernameTemplate' | 'retailerId' | 'defaultCountry' | 'phoneExtension' | 'allowFormulaValues'
  >,
): Input {
  const mapping = options.mapping === undefined ? undefined : loadMapping(options.mapping);
  const objects = records.map(checkRecord);
  const header = collectKeys(objects);
  const rows = objects.map((record) => header.map((key) => toCell(record[key])));
  const input = prepareInput(recordSource(header, rows), mapping, options);
  const { layout, context } = input;
  const read = new Set<number>(context.usernameTemplate.columns);
  layout.fieldOfColumn.forEach((field, column) => {
    if (field !== null) read.add(column);
  });
  for (const attribute of layout.attributes) read.add(attribute.column);
  rows.forEach((cells, i) => {
    for (const column of read) {
      if (cells[column] !== NOT_A_CELL) continue;
      const key = header[column] ?? '';
      throw new UsageError(
        `customers[${i}].${key} must be text, a number or true/false (null for no value), not ${describeKind(objects[i]?.[key])}`,
      );
    }
  });
  return input;
}

function checkRecord(record: unknown, i: number): Readonly<Record<string, unknown>> {
  if (record === null || typeof record !== 'object' || Array.isArray(record)) {
    throw new UsageError(`customers[${i}] must be an object of field names and values, not ${describeKind(record)}`);
  }
  return record as Readonly<Record<string, unknown>>;
}

/** Every key of the records, in the order they first appear. */
function collectKeys(records: readonly Readonly<Record<string, unknown>>[]): string[] {
  const keys = new Set<string>();
  for (const record of records) for (const key of Object.keys(record)) keys.add(key);
  return [...keys];
}

function toCell(value: unknown): string | typeof NOT_A_CELL {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return NOT_A_CELL;
}

function describeKind(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}

/**
 * The records as a source of rows. A value no column the run reads holds (`NOT_A_CELL` there) is kept as an empty cell:
 * rejects.csv shows the row's other cells. The digest is of the header and cells as JSON lines.
 */
function recordSource(header: string[], rows: readonly (string | typeof NOT_A_CELL)[][]): InputSource {
  const cellsOf = (row: readonly (string | typeof NOT_A_CELL)[]) =>
    row.map((cell) => (cell === NOT_A_CELL ? '' : cell));
  const hash = crypto.createHash('sha256');
  let bytes = 0;
  for (const line of [header, ...rows.map(cellsOf)]) {
    const text = `${JSON.stringify(line)}\n`;
    hash.update(text);
    bytes += Buffer.byteLength(text);
  }
  const sha256 = hash.digest('hex');
  return {
    format: 'csv',
    header,
    delimiter: ',',
    encoding: 'utf-8',
    rows: (async function* (): AsyncGenerator<RawRow> {
      for (let i = 0; i < rows.length; i++) {
        yield { row: i + 1, line: i + 2, cells: cellsOf(rows[i] ?? []) };
      }
    })(),
    digest: () => ({ sha256, bytes, complete: true }),
  };
}
