/** Detects the language of a text from the share of each language's stopwords in it. */
import type { StepContext } from 'sluice';
import { STOPWORDS, words, type LanguageCode } from './lib/text.js';

export interface Language {
  code: LanguageCode;
  confidence: number;
}

export default async function detectLanguage(
  ctx: StepContext<{ text: string }>,
): Promise<{ language: Language }> {
  const tokens = words(ctx.inputs.text);
  const scores = (Object.keys(STOPWORDS) as LanguageCode[]).map((code) => ({
    code,
    hits: tokens.filter((word) => STOPWORDS[code].has(word)).length,
  }));
  scores.sort((a, b) => b.hits - a.hits);
  const [best, second] = scores;
  if (!best || best.hits === 0)
    throw new Error('no stopwords of any known language: cannot detect the language');
  const confidence = Number((best.hits / (best.hits + (second?.hits ?? 0))).toFixed(3));
  ctx.metric('language_confidence', confidence);
  ctx.log.info(`language ${best.code} (${best.hits} stopwords of ${tokens.length} words)`);
  return { language: { code: best.code, confidence } };
}
