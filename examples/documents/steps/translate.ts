/**
 * A word-by-word English gloss from a tiny dictionary. Nothing consumes `translation` and it
 * is not a desired output, so `sluice validate` lists this step as pruned and runs skip it.
 */
import type { StepContext } from 'sluice';

const GLOSSARY: Record<string, string> = {
  rechnung: 'invoice',
  vertrag: 'contract',
  brief: 'letter',
  facture: 'invoice',
};

export default async function translate(
  ctx: StepContext<{ text: string }>,
): Promise<{ translation: string }> {
  return { translation: ctx.inputs.text.replace(/\p{L}+/gu, (word) => GLOSSARY[word.toLowerCase()] ?? word) };
}
