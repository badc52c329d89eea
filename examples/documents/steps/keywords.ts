/** The top terms of one paragraph (runs once per paragraph datum). */
import type { StepContext } from 'sluice';
import type { Language } from './detect-language.js';
import { topTerms } from './lib/text.js';

export default async function keywords(
  ctx: StepContext<{ paragraphs: string; language: Language }>,
): Promise<{ paragraph_keywords: string[] }> {
  return { paragraph_keywords: topTerms(ctx.inputs.paragraphs, ctx.inputs.language.code, 4) };
}
