import JSZip from 'jszip';

/** The parts of a minimal .xlsx, by name, in the order they go into the zip. */
export type WorkbookParts = [name: string, xml: string][];

const MAIN = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const RELS = 'http://schemas.openxmlformats.org/package/2006/relationships';
const DOC = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** A worksheet part of the given rows, each `<row>`'s inner XML (`<c r="A1" t="s"><v>0</v></c>…`). */
export function sheetXml(rows: string[]): string {
  const body = rows.map((cells, i) => `<row r="${i + 1}">${cells}</row>`).join('');
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><worksheet xmlns="${MAIN}"><sheetData>${body}</sheetData></worksheet>`;
}

/** A shared strings part of these `<si>` inner XMLs (`<t>Ann</t>`, or rich runs). */
export function sharedStringsXml(items: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><sst xmlns="${MAIN}" count="${items.length}" uniqueCount="${items.length}">${items.map((item) => `<si>${item}</si>`).join('')}</sst>`;
}

/** A styles part whose cell formats (index 0, 1, …) use these number formats; custom ones from id 164. */
export function stylesXml(formats: (number | string)[]): string {
  const custom = formats.filter((f): f is string => typeof f === 'string');
  const numFmts = custom.map(
    (code, i) => `<numFmt numFmtId="${164 + i}" formatCode="${code.replaceAll('"', '&quot;')}"/>`,
  );
  const xfs = formats.map((f) => `<xf numFmtId="${typeof f === 'number' ? f : 164 + custom.indexOf(f)}" fontId="0"/>`);
  return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?><styleSheet xmlns="${MAIN}"><numFmts count="${custom.length}">${numFmts.join('')}</numFmts><cellStyleXfs count="1"><xf numFmtId="14"/></cellStyleXfs><cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs></styleSheet>`;
}

/**
 * The parts of a workbook of one sheet per entry of `sheets` (name → sheet XML), with shared strings and styles when
 * given, in Excel's own order: workbook, sheets, then shared strings, then styles.
 */
export function workbookParts(
  sheets: [name: string, xml: string][],
  extra: { sharedStrings?: string; styles?: string; date1904?: boolean } = {},
): WorkbookParts {
  const sheetRels = sheets.map(
    (_, i) => `<Relationship Id="rId${i + 1}" Type="${DOC}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`,
  );
  if (extra.sharedStrings !== undefined) {
    sheetRels.push(`<Relationship Id="rIdS" Type="${DOC}/sharedStrings" Target="sharedStrings.xml"/>`);
  }
  if (extra.styles !== undefined)
    sheetRels.push(`<Relationship Id="rIdT" Type="${DOC}/styles" Target="/xl/styles.xml"/>`);
  const sheetList = sheets.map(([name], i) => `<sheet name="${name}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`);
  const parts: WorkbookParts = [
    [
      '[Content_Types].xml',
      '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>',
    ],
    [
      '_rels/.rels',
      `<?xml version="1.0"?><Relationships xmlns="${RELS}"><Relationship Id="rId1" Type="${DOC}/officeDocument" Target="xl/workbook.xml"/></Relationships>`,
    ],
    [
      'xl/workbook.xml',
      `<?xml version="1.0"?><workbook xmlns="${MAIN}" xmlns:r="${DOC}"><workbookPr${extra.date1904 ? ' date1904="1"' : ''}/><sheets>${sheetList.join('')}</sheets></workbook>`,
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0"?><Relationships xmlns="${RELS}">${sheetRels.join('')}</Relationships>`,
    ],
    ...sheets.map(([, xml], i): [string, string] => [`xl/worksheets/sheet${i + 1}.xml`, xml]),
  ];
  if (extra.sharedStrings !== undefined) parts.push(['xl/sharedStrings.xml', extra.sharedStrings]);
  if (extra.styles !== undefined) parts.push(['xl/styles.xml', extra.styles]);
  return parts;
}

/** The parts zipped (deflate) in their order, as JSZip writes them: sizes in each header and in the directory. */
export async function zipParts(parts: WorkbookParts): Promise<Buffer> {
  const zip = new JSZip();
  for (const [name, xml] of parts) zip.file(name, xml);
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
}

/**
 * The zip with the uncompressed size its central directory declares for `part` replaced by `size`: a part that
 * lies about how far it decompresses, or says it would go further than any limit.
 */
export function declareSize(zip: Buffer, part: string, size: number): Buffer {
  const out = Buffer.from(zip);
  const name = Buffer.from(part);
  const directoryEntry = Buffer.from([0x50, 0x4b, 0x01, 0x02]);
  for (let at = out.indexOf(directoryEntry); at !== -1; at = out.indexOf(directoryEntry, at + 46)) {
    const nameLength = out.readUInt16LE(at + 28);
    if (out.subarray(at + 46, at + 46 + nameLength).equals(name)) {
      out.writeUInt32LE(size, at + 24);
      return out;
    }
  }
  throw new Error(`no directory entry for ${part}`);
}
