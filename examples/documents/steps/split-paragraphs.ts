/** Splits the text into paragraphs; each becomes one datum of `paragraphs` (a scatter output). */
import type { StepContext } from 'sluice';

export default async function splitParagraphs(
  ctx: StepContext<{ text: string }>,
): Promise<{ paragraphs: string[] }> {
  const paragraphs = ctx.inputs.text.split(/\n\s*\n/).filter((paragraph) => paragraph.trim().length > 0);
  ctx.log.info(`${paragraphs.length} paragraphs`);
  return { paragraphs };
}
