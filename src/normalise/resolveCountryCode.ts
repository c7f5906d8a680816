/** Names people write that Intl's English region names do not include. */
const ALIASES: Readonly<Record<string, string>> = {
  usa: 'US',
  unitedstatesofamerica: 'US',
  america: 'US',
  greatbritain: 'GB',
  britain: 'GB',
  england: 'GB',
  scotland: 'GB',
  wales: 'GB',
  northernireland: 'GB',
  holland: 'NL',
  thenetherlands: 'NL',
  turkey: 'TR',
  czechrepublic: 'CZ',
  ivorycoast: 'CI',
  burma: 'MM',
  russianfederation: 'RU',
  korea: 'KR',
  republicofkorea: 'KR',
  vietnam: 'VN',
  macedonia: 'MK',
  swaziland: 'SZ',
};

const TWO_LETTERS = /^[A-Za-z]{2}$/;
const MARKS = /\p{M}/gu;
const NOT_ALPHANUMERIC = /[^a-z0-9]/g;
const MEMO_LIMIT = 10_000;

let table: { codes: ReadonlySet<string>; byName: ReadonlyMap<string, string> } | undefined;
const memo = new Map<string, string | null>();

/**
 * The ISO 3166 alpha-2 code a row's `country` cell stands for: a code in any case (`gb`, `GB`) or an English country
 * name (`United Kingdom`, `UK`, `Côte d'Ivoire`), matched ignoring case, accents and punctuation, through
 * Intl.DisplayNames. Undefined when the text is neither. Answers are memoised: a file repeats a few countries.
 */
export function resolveCountryCode(country: string): string | undefined {
  let code = memo.get(country);
  if (code === undefined) {
    code = lookUp(country) ?? null;
    if (memo.size >= MEMO_LIMIT) memo.clear();
    memo.set(country, code);
  }
  return code ?? undefined;
}

function lookUp(country: string): string | undefined {
  const { codes, byName } = loadTable();
  if (TWO_LETTERS.test(country)) {
    const code = canonicalRegion(country.toUpperCase());
    if (codes.has(code)) return code;
  }
  const key = nameKey(country);
  return byName.get(key) ?? ALIASES[key] ?? byName.get(key.replace(/^the/, ''));
}

function nameKey(name: string): string {
  return name.normalize('NFD').replace(MARKS, '').toLowerCase().replaceAll('&', 'and').replace(NOT_ALPHANUMERIC, '');
}

/** The current code for a deprecated one (UK → GB, DD → DE), as Intl's locale canonicalisation knows it. */
function canonicalRegion(code: string): string {
  try {
    return new Intl.Locale(`und-${code}`).region ?? code;
  } catch {
    return code;
  }
}

/** Built on first use: 676 DisplayNames lookups take a few milliseconds, once per process. */
function loadTable(): NonNullable<typeof table> {
  if (table) return table;
  const styles = (['long', 'short', 'narrow'] as const).map(
    (style) => new Intl.DisplayNames(['en'], { type: 'region', style, fallback: 'none' }),
  );
  const codes = new Set<string>();
  const byName = new Map<string, string>();
  for (let first = 65; first <= 90; first++) {
    for (let second = 65; second <= 90; second++) {
      const code = String.fromCharCode(first, second);
      // Deprecated codes (DD, UK, BU) have names too, but stand for their current code (DE, GB, MM).
      if (styles[0]?.of(code) === undefined || canonicalRegion(code) !== code) continue;
      codes.add(code);
      for (const names of styles) {
        const name = names.of(code);
        if (name === undefined) continue;
        for (const spelling of [name, name.replace(/\s*\(.*\)\s*/, ' ')]) {
          const key = nameKey(spelling);
          if (key && !byName.has(key)) byName.set(key, code);
        }
      }
    }
  }
  table = { codes, byName };
  return table;
}
