/**
 * An extractive summary: the sentences whose non-stopword terms are most frequent in the
 * whole text, in their original order, with the paragraphs' keywords.
 */
import type { StepContext } from 'sluice';
import type { Category } from './classify.js';
import type { Language } from './detect-language.js';
import { STOPWORDS, sentences, words } from './lib/text.js';

export interface Summary {
  document_id: string;
  page_num: number;
  language: string;
  category: string;
  sentences: string[];
  keywords: string[];
}

export default async function summarise(
  ctx: StepContext<{
    document_id: string;
    page_num: number;
    text: string;
    language: Language;
    category: Category;
    paragraph_keywords: string[][];
  }>,
): Promise<{ summary: Summary }> {
  const { text, language, category, paragraph_keywords } = ctx.inputs;
  const stop = STOPWORDS[language.code];
  const frequency = new Map<string, number>();
  for (const word of words(text)) if (!stop.has(word)) frequency.set(word, (frequency.get(word) ?? 0) + 1);
  const ranked = sentences(text.replace(/\n+/g, ' '))
    // Headings and fragments ("INVOICE No.") are not summary material.
    .filter((sentence) => words(sentence).length >= 5)
    .map((sentence, index) => {
      const terms = words(sentence).filter((word) => !stop.has(word));
      const score =
        terms.reduce((sum, word) => sum + (frequency.get(word) ?? 0), 0) / Math.max(terms.length, 1);
      return { sentence, index, score };
    })
    .sort((a, b) => b.score - a.score || a.index - b.index)
    .slice(0, 2)
    .sort((a, b) => a.index - b.index);
  const keywords = [...new Set(paragraph_keywords.flat())].slice(0, 8);
  ctx.metric('summary_sentences', ranked.length);
  return {
    summary: {
      document_id: ctx.inputs.document_id,
      page_num: ctx.inputs.page_num,
      language: language.code,
      category: category.label,
      sentences: ranked.map((item) => item.sentence),
      keywords,
    },
  };
}
