import { type CountryCode, getCountryCallingCode, isSupportedCountry } from 'libphonenumber-js/core';
import metadata from 'libphonenumber-js/min/metadata';
import { quoteValue } from './quoteValue.js';
import type { ColumnLayout } from './resolveColumns.js';
import { countryName, ISO_COUNTRIES, resolveCountryCode } from './resolveCountryCode.js';

/**
 * Country-code domains sold and used as generic ones, which say nothing of where the customer lives: Google's list of
 * "generic ccTLDs" (ad as bz cc cd co dj fm io la me ms nu sc sr su tv tk ws) and the others marketed the same way
 * (.ai, .ly, .gg, .to, .sh, .am, .vc, .im, .gl) or given away free (.ml, .ga, .cf, .gq).
 */
const GENERIC_DOMAINS: ReadonlySet<string> = new Set(
  'ad as bz cc cd co dj fm io la me ms nu sc sr su tv tk ws ai ly gg to sh am vc im gl ml ga cf gq'.split(' '),
);

/** Header words of a column that names a country, in the languages of the usual exports; and of a locale column. */
const COUNTRY_WORDS: ReadonlySet<string> = new Set([
  'country',
  'land', // de, nl, sv, da, no
  'pays', // fr
  'pais', // es, pt (país)
  'paese', // it
  'nazione', // it
  'kraj', // pl
  'ulke', // tr (ülke)
  'страна', // ru
  '国', // ja, zh
  '国名',
  '国家',
  '國家',
  '국가', // ko
]);
const LOCALE_WORDS: ReadonlySet<string> = new Set([
  'locale',
  'language',
  'lang',
  'sprache',
  'langue',
  'idioma',
  'lingua',
]);
/** A locale with a region, as CRMs write them: `de_DE`, `fr-FR`, `pt_BR`, `zh_Hant_TW`, `de_DE_EURO`. */
const LOCALE = /^[a-z]{2,3}(?:[-_][a-z]{4})?[-_]([a-z]{2})(?:$|[-_.@])/i;
const WORD_BREAK = /[^\p{L}\p{N}]+|(?<=\p{Ll})(?=\p{Lu})/u;
const ACCENTS = /[\u0300-\u036f]/g;

type EvidenceColumn = { column: number; kind: 'country' | 'locale' };
const columnsOfLayout = new WeakMap<ColumnLayout, readonly EvidenceColumn[]>();

/**
 * What in a row that names no country points to a country other than `defaultCountry`, said for a reason
 * (`primaryEmail's domain ".fr" is France's (FR)`), or undefined when nothing does. Evidence is an email whose domain
 * is another country's code (`.fr`, `.de`, `.co.jp`, `.com.br`, `.co.uk` as GB), unless that domain is sold as a
 * generic one (`.io`, `.co`, `.me`, `.tv`…), and an unmapped column whose header reads like a country (`Land`, `Pays`,
 * `Billing Country`, `国`) with a value that is a country, or like a locale (`Locale`, `Language`) with a value that
 * has a region (`fr_FR`). A country that shares the default country's calling code (CA for US, CX for AU) is no
 * evidence: its national numbers read the same.
 */
export function findCountryEvidence(
  cells: readonly string[],
  layout: ColumnLayout,
  email: string,
  defaultCountry: string,
): string | undefined {
  const domain = email.slice(email.lastIndexOf('.') + 1).toLowerCase();
  if (domain.length === 2 && email.includes('@')) {
    const code = domain === 'uk' ? 'GB' : domain.toUpperCase();
    if (ISO_COUNTRIES.has(code) && !GENERIC_DOMAINS.has(domain) && pointsElsewhere(code, defaultCountry)) {
      return `primaryEmail's domain ".${domain}" is ${countryName(code)}'s (${code})`;
    }
  }
  for (const { column, kind } of evidenceColumns(layout)) {
    const value = (cells[column] ?? '').trim();
    if (value === '') continue;
    const codes = kind === 'locale' ? localeRegion(value) : countriesOf(value);
    if (codes.length > 0 && codes.every((code) => pointsElsewhere(code, defaultCountry))) {
      const header = layout.header[column]?.trim() ?? '';
      return `column ${quoteValue(header)} says ${quoteValue(value)} (${codes.join(' or ')})`;
    }
  }
  return undefined;
}

function pointsElsewhere(code: string, defaultCountry: string): boolean {
  if (code === defaultCountry) return false;
  if (!isSupportedCountry(code as CountryCode, metadata)) return true;
  if (!isSupportedCountry(defaultCountry as CountryCode, metadata)) return true;
  return (
    getCountryCallingCode(code as CountryCode, metadata) !==
    getCountryCallingCode(defaultCountry as CountryCode, metadata)
  );
}

function countriesOf(value: string): readonly string[] {
  const match = resolveCountryCode(value);
  if (match === undefined) return [];
  return 'code' in match ? [match.code] : match.candidates;
}

function localeRegion(value: string): readonly string[] {
  const region = LOCALE.exec(value)?.[1]?.toUpperCase();
  return region !== undefined && ISO_COUNTRIES.has(region) ? [region] : [];
}

/** The unmapped columns whose header reads like a country or a locale; found once per file. */
function evidenceColumns(layout: ColumnLayout): readonly EvidenceColumn[] {
  let columns = columnsOfLayout.get(layout);
  if (columns === undefined) {
    const attributeColumns = new Set(layout.attributes.map((attribute) => attribute.column));
    columns = layout.header.flatMap((header, column): EvidenceColumn[] => {
      if (layout.fieldOfColumn[column] !== null || attributeColumns.has(column)) return [];
      const words = header
        .split(WORD_BREAK)
        .map((word) => word.normalize('NFD').replace(ACCENTS, '').toLowerCase())
        .filter(Boolean);
      if (words.some((word) => COUNTRY_WORDS.has(word))) return [{ column, kind: 'country' }];
      if (words.some((word) => LOCALE_WORDS.has(word))) return [{ column, kind: 'locale' }];
      return [];
    });
    columnsOfLayout.set(layout, columns);
  }
  return columns;
}
