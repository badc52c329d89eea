/**
 * Reads and validates the threat rules file (param `rules_file`, relative to the pipeline's
 * folder or absolute) once per run; the format is documented in `lib/rules.ts`.
 */
import { readFile } from 'node:fs/promises';
import { isAbsolute, relative, resolve } from 'node:path';
import type { StepContext } from 'sluice';
import { parseRules, type Rule } from './lib/rules.js';

export default async function loadRules(
  ctx: StepContext<{ rules_file: string }>,
): Promise<{ rules: Rule[] }> {
  const { rules_file } = ctx.inputs;
  if (typeof rules_file !== 'string' || rules_file.trim() === '')
    throw new Error(`rules_file must be the path of a YAML rules file, found ${JSON.stringify(rules_file)}`);
  const file = resolve(ctx.pipelineDir, rules_file);
  const shown = isAbsolute(rules_file) ? file : relative(ctx.pipelineDir, file);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new Error(`cannot read the rules file ${file}: ${(error as Error).message}`, { cause: error });
  }
  const rules = parseRules(text, shown);
  ctx.log.info(`${rules.length} rules from ${shown}: ${rules.map((rule) => rule.name).join(', ')}`);
  return { rules };
}
