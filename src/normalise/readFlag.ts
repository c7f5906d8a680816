/**
 * Yes and no in the major languages, as people write them in an opt-in column or a spreadsheet writes a boolean in
 * its language (WAHR, VRAI, VERDADERO…), spelt as foldWord() leaves them: lower case, Latin accents dropped.
 *
 * No word here means yes in one language and no in another. Left out for that reason: Czech, Slovak and the
 * South Slavic `ne` (no), which is yes (네) in romanised Korean, and `ano`, its Czech pair; `o` (oui, but "or" in
 * Spanish and Italian). `no` is no in English, Spanish and Italian, though colloquial Czech and Polish use it for yes;
 * a Polish file writes tak/nie.
 */
const YES = [
  'true',
  'yes',
  'y',
  '1',
  'ja',
  'j',
  'wahr', // de, nl, sv, da, no
  'oui',
  'vrai', // fr
  'si',
  's',
  'verdadero',
  'vero', // es, it (sí, sì)
  'sim',
  'verdadeiro', // pt
  'waar', // nl
  'tak',
  'prawda', // pl
  'da',
  'adevarat', // ro (adevărat), hr, sr, sl, bg, ru in Latin letters
  'evet', // tr
  'kylla', // fi (kyllä)
  'igen', // hu
  'да',
  'так', // ru, bg, sr; uk
  'ναι', // el
  'はい', // ja
  '是', // zh
  '예',
  '네', // ko
];
const NO = [
  'false',
  'no',
  'n',
  '0',
  'nein',
  'falsch', // de
  'non',
  'faux', // fr
  'falso', // es, it, pt
  'nao', // pt (não)
  'nee',
  'onwaar', // nl
  'nie',
  'falsz',
  'fałsz', // pl
  'nu',
  'fals', // ro
  'hayir',
  'hayır', // tr
  'nej',
  'nei', // sv, da; no
  'ei', // fi, et
  'nem', // hu
  'нет',
  'не',
  'ні', // ru; bg, sr; uk
  'οχι', // el (όχι)
  'いいえ', // ja
  '否', // zh
  '아니요',
  '아니오', // ko
];

const NOT_ASCII = /[\u0080-\uffff]/;
const ACCENTS = /[\u0300-\u036f]/g;

const FLAGS: ReadonlyMap<string, boolean> = new Map([
  ...YES.map((word) => [foldWord(word), true] as const),
  ...NO.map((word) => [foldWord(word), false] as const),
]);

/** The words a yes/no cell may hold, for reasons that say what is allowed. */
export const FLAG_WORDS =
  'yes/no, y/n, true/false, 1/0 or yes/no in another language (ja/nein, oui/non, sí/no, sim/não, tak/nie, はい/いいえ…)';

/**
 * A yes/no cell (SPEC §3) as a boolean, or undefined when it is neither: true/false/yes/no/y/n/1/0 and the yes/no
 * words of the major languages (ja/nein, oui/non, sí/no, sim/não, sì/no, ja/nee, tak/nie, はい/いいえ, da/nu,
 * evet/hayır, kyllä/ei, igen/nem, да/нет, ναι/όχι…), in any case, with or without their accents.
 */
export function readFlag(text: string): boolean | undefined {
  return FLAGS.get(foldWord(text));
}

function foldWord(word: string): string {
  const lower = word.toLowerCase();
  return NOT_ASCII.test(lower) ? lower.normalize('NFD').replace(ACCENTS, '').normalize('NFC') : lower;
}
