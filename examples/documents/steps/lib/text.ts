/**
 * Small text utilities shared by the documents steps: tokenising and per-language
 * stopword lists (a step that imports this file is re-versioned when it changes).
 */

export type LanguageCode = 'en' | 'de' | 'fr' | 'es' | 'cs';

export const STOPWORDS: Record<LanguageCode, Set<string>> = {
  en: new Set(
    'the of and to in a is that for it as was with be by on not he this are or his from at which but have an had they you were their one all we can her has there been if more when will would who so no our shall any may'.split(
      ' ',
    ),
  ),
  de: new Set(
    'der die und in den von zu das mit sich des auf für ist im dem nicht ein eine als auch es an werden aus er hat dass sie nach wird bei einer um am sind noch wie einem über einen so zum war haben nur oder aber vor zur bis mehr durch man wir ihr ihre uns sehr'.split(
      ' ',
    ),
  ),
  fr: new Set(
    'le la les de des et en un une du est que qui dans pour par sur au aux avec ce ces il elle nous vous ne pas plus se sont été être à cette son sa ses leur lorsque'.split(
      ' ',
    ),
  ),
  es: new Set(
    'el la los las de del y en un una que es por para con no se al lo como más pero sus le ya o este sí porque esta entre cuando muy sin sobre'.split(
      ' ',
    ),
  ),
  cs: new Set(
    'a v se na je že s z do o k to i jak ale by jsou pro jako od po ve za tak který které které nebo jsem byl bylo být'.split(
      ' ',
    ),
  ),
};

/** Lowercase words of at least two letters (any script), in order. */
export function words(text: string): string[] {
  return (text.toLowerCase().match(/\p{L}[\p{L}'’-]*/gu) ?? []).filter((word) => word.length > 1);
}

/** Sentences of a text: split after . ! ? followed by whitespace. */
export function sentences(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+/)
    .map((sentence) => sentence.trim())
    .filter((sentence) => sentence.length > 0);
}

/** The `count` most frequent non-stopword terms, ties broken alphabetically. */
export function topTerms(text: string, language: LanguageCode, count: number): string[] {
  const stop = STOPWORDS[language];
  const frequency = new Map<string, number>();
  for (const word of words(text)) {
    if (stop.has(word) || word.length < 3 || /^\d/.test(word)) continue;
    frequency.set(word, (frequency.get(word) ?? 0) + 1);
  }
  return [...frequency]
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b))
    .slice(0, count)
    .map(([word]) => word);
}
