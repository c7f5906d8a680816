import { isDateFormat } from './formatCellText.js';
import type { ZipArchive, ZipEntry } from './openZipArchive.js';
import { attributeOf, type XmlHandler } from './parseXmlPart.js';

/** A sheet as the workbook lists it, in tab order. */
export interface SheetListing {
  name: string;
  /** Its part in the archive, e.g. `xl/worksheets/sheet1.xml`; undefined when the workbook names none. */
  part: string | undefined;
  /** A worksheet holds cells; a chartsheet or dialog sheet holds none. */
  isWorksheet: boolean;
}

/** What the reader needs before the cells: the sheets, the date system, and where strings and styles are. */
export interface WorkbookLayout {
  sheets: SheetListing[];
  /** Old Mac workbooks count days from 1904. */
  date1904: boolean;
  sharedStrings: string | undefined;
  styles: string | undefined;
}

/** Reads one part into a handler; `reserve` first accounts for what the part says it decompresses to. */
export type PartReader = (entry: ZipEntry, handler: XmlHandler) => Promise<void>;

const OFFICE_DOCUMENT = /\/officeDocument$/;
const WORKSHEET = /\/worksheet$/;
const SHARED_STRINGS = /\/sharedStrings$/;
const STYLES = /\/styles$/;
/** Excel's built-in number formats that show a date or a time (ECMA-376 §18.8.30, and the East Asian ones). */
const DATE_FORMAT_IDS = new Set([
  14, 15, 16, 17, 18, 19, 20, 21, 22, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 45, 46, 47, 50, 51, 52, 53, 54, 55, 56,
  57, 58,
]);
/** Excel allows 64,000 cell formats; a styles part listing far more is no workbook this tool reads. */
export const MAX_CELL_FORMATS = 1_000_000;

/**
 * Finds the workbook's parts the way Office does, by relationships (ECMA-376 Part 2): `_rels/.rels` names the
 * workbook part, its own relationships name the sheets, the shared strings and the styles. A zip without a workbook
 * part has no sheets.
 */
export async function readWorkbookLayout(archive: ZipArchive, read: PartReader): Promise<WorkbookLayout> {
  const rootRelations = await readRelations(archive, read, '_rels/.rels', '');
  const workbookPart =
    rootRelations.find((r) => OFFICE_DOCUMENT.test(r.type))?.target ??
    (archive.find('xl/workbook.xml') ? 'xl/workbook.xml' : undefined);
  const layout: WorkbookLayout = { sheets: [], date1904: false, sharedStrings: undefined, styles: undefined };
  const workbookEntry = workbookPart === undefined ? undefined : archive.find(workbookPart);
  if (workbookPart === undefined || workbookEntry === undefined) return layout;

  const listed: { name: string; id: string | undefined }[] = [];
  let inSheets = false;
  await read(workbookEntry, {
    open(name, attributes) {
      if (name === 'workbookPr') {
        const value = attributeOf(attributes, 'date1904');
        layout.date1904 = value === '1' || value === 'true';
      } else if (name === 'sheets') inSheets = true;
      else if (name === 'sheet' && inSheets) {
        const sheetName = attributeOf(attributes, 'name');
        if (sheetName !== undefined) listed.push({ name: sheetName, id: attributeOf(attributes, 'id') });
      }
    },
    close(name) {
      if (name === 'sheets') inSheets = false;
    },
    text() {},
  });

  const folder = workbookPart.slice(0, workbookPart.lastIndexOf('/') + 1);
  const relationsPart = `${folder}_rels/${workbookPart.slice(folder.length)}.rels`;
  const relations = await readRelations(archive, read, relationsPart, folder);
  const byId = new Map(relations.map((r) => [r.id, r]));
  layout.sheets = listed.map(({ name, id }) => {
    const relation = id === undefined ? undefined : byId.get(id);
    return { name, part: relation?.target, isWorksheet: relation !== undefined && WORKSHEET.test(relation.type) };
  });
  layout.sharedStrings = relations.find((r) => SHARED_STRINGS.test(r.type))?.target;
  layout.styles = relations.find((r) => STYLES.test(r.type))?.target;
  return layout;
}

/**
 * Which cell formats (`s` of a cell, an index into `<cellXfs>`) show a number as a date or time: a built-in date
 * format, or a custom one with date parts (formatCellText's test).
 *
 * @throws RangeError past MAX_CELL_FORMATS formats
 */
export async function readDateStyles(entry: ZipEntry, read: PartReader): Promise<boolean[]> {
  const custom = new Map<number, string>();
  const formats: number[] = [];
  let inCellFormats = false;
  await read(entry, {
    open(name, attributes) {
      if (name === 'numFmt') {
        const id = Number(attributeOf(attributes, 'numFmtId'));
        const code = attributeOf(attributes, 'formatCode');
        if (Number.isInteger(id) && code !== undefined) custom.set(id, code);
      } else if (name === 'cellXfs') inCellFormats = true;
      else if (name === 'xf' && inCellFormats) {
        if (formats.length >= MAX_CELL_FORMATS) throw new RangeError(`more than ${MAX_CELL_FORMATS} cell formats`);
        formats.push(Number(attributeOf(attributes, 'numFmtId') ?? 0));
      }
    },
    close(name) {
      if (name === 'cellXfs') inCellFormats = false;
    },
    text() {},
  });
  return formats.map((id) => {
    const code = custom.get(id);
    return code === undefined ? DATE_FORMAT_IDS.has(id) : isDateFormat(code);
  });
}

interface Relation {
  id: string;
  type: string;
  /** The part it points to, resolved from the archive's root. */
  target: string;
}

async function readRelations(archive: ZipArchive, read: PartReader, part: string, folder: string): Promise<Relation[]> {
  const entry = archive.find(part);
  if (!entry) return [];
  const relations: Relation[] = [];
  await read(entry, {
    open(name, attributes) {
      if (name !== 'Relationship' || attributeOf(attributes, 'TargetMode') === 'External') return;
      const id = attributeOf(attributes, 'Id');
      const type = attributeOf(attributes, 'Type');
      const target = attributeOf(attributes, 'Target');
      if (id !== undefined && type !== undefined && target !== undefined) {
        relations.push({ id, type, target: resolvePart(folder, target) });
      }
    },
    close() {},
    text() {},
  });
  return relations;
}

/** A relationship's target as a part name: relative to the folder of the part that holds it, or from the root. */
function resolvePart(folder: string, target: string): string {
  let decoded = target;
  try {
    decoded = decodeURIComponent(target);
  } catch {
    // A stray % is part of the name.
  }
  const joined = decoded.startsWith('/') ? decoded : `${folder}${decoded}`;
  const segments: string[] = [];
  for (const segment of joined.split('/')) {
    if (segment === '..') segments.pop();
    else if (segment !== '.' && segment !== '') segments.push(segment);
  }
  return segments.join('/');
}
