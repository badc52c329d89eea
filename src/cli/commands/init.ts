/**
 * `sluice init DIR`: a new project with a sample pipeline (schema modeline for editor
 * completion), a TypeScript step, a command step and a `.gitignore`. It never overwrites:
 * a file that already exists stops it before anything is written.
 */
import { access, mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { SluiceError } from '../../core/index.js';
import { pc } from '../colors.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';

/** The published JSON Schema of this installation. */
const SCHEMA_FILE = fileURLToPath(new URL('../../../schema/pipeline.schema.json', import.meta.url));

function files(dir: string): Record<string, string> {
  const schema = relative(dir, SCHEMA_FILE).split('\\').join('/');
  return {
    'pipeline.yaml': `# yaml-language-server: $schema=${schema}
name: hello
description: Counts the words of a text and writes a report. Run it with \`sluice run pipeline.yaml\`.
params:
  text: { type: string, default: "the quick brown fox jumps over the lazy dog the end" }
  top: { type: integer, default: 3, description: how many of the most frequent words to report }
steps:
  count_words:
    run: ./steps/count-words.ts     # a TypeScript step: a module whose default export is the step
    inputs: [text]
    outputs: [counts]
  report:
    run: { command: [python3, steps/report.py] }   # any program; see SLUICE_INPUTS / SLUICE_OUTPUTS
    inputs: [counts, top]
    outputs: [summary]
    retries: 1
    timeout: 1m
outputs: [summary]
# triggers:
#   - cron: "0 16 * * *"          # every day at 16:00 while \`sluice dev\` or \`sluice server\` runs
#     tz: Europe/Paris
`,
    'steps/count-words.ts': `import type { StepContext } from 'sluice';

/** Counts each word of \`text\`; logs a metric the run keeps. */
export default async function countWords(ctx: StepContext<{ text: string }>): Promise<{ counts: Record<string, number> }> {
  const counts: Record<string, number> = {};
  for (const word of ctx.inputs.text.toLowerCase().split(/\\W+/).filter(Boolean)) {
    counts[word] = (counts[word] ?? 0) + 1;
  }
  ctx.log.info(\`\${Object.keys(counts).length} distinct words\`);
  ctx.metric('distinct_words', Object.keys(counts).length);
  return { counts };
}
`,
    'steps/report.py': `"""Writes the most frequent words: inputs come from $SLUICE_INPUTS, outputs go to $SLUICE_OUTPUTS."""
import json
import os

with open(os.environ["SLUICE_INPUTS"]) as f:
    inputs = json.load(f)
ranked = sorted(inputs["counts"].items(), key=lambda item: (-item[1], item[0]))[: inputs["top"]]
print("most frequent:", ", ".join(f"{word} ({n})" for word, n in ranked))
with open(os.environ["SLUICE_METRICS"], "a") as f:
    f.write(json.dumps({"key": "reported", "value": len(ranked)}) + "\\n")
with open(os.environ["SLUICE_OUTPUTS"], "w") as f:
    json.dump({"summary": [{"word": word, "count": n} for word, n in ranked]}, f)
`,
    '.gitignore': `# Sluice's data directory (metadata, objects, logs) and downloaded models
.sluice/
models/
node_modules/
`,
  };
}

/** Writes the sample project into `dir` (created if needed). */
export async function initCommand(dir: string, options: { json?: boolean }, io: Io): Promise<number> {
  const root = resolve(io.cwd, dir);
  const planned = files(root);
  for (const path of Object.keys(planned)) {
    const exists = await access(join(root, path)).then(
      () => true,
      () => false,
    );
    if (exists) {
      throw new SluiceError(
        'REPO_EXISTS',
        `${join(root, path)} already exists; \`sluice init\` never overwrites files`,
      );
    }
  }
  for (const [path, content] of Object.entries(planned)) {
    await mkdir(dirname(join(root, path)), { recursive: true });
    await writeFile(join(root, path), content);
  }
  if (options.json) {
    io.out(json({ dir: root, files: Object.keys(planned) }));
    return EXIT.ok;
  }
  io.err(`${pc.green('✓')} created a Sluice project in ${root}\n`);
  for (const path of Object.keys(planned)) io.err(`  ${path}\n`);
  const rel = relative(io.cwd, root);
  const cd = rel === '' ? '.' : rel.startsWith('..') ? root : rel;
  io.err(
    `\nnext:\n  cd ${cd}\n  npx sluice run pipeline.yaml          # run it once\n  npx sluice dev                        # serve it, with the API on http://127.0.0.1:7420\n`,
  );
  return EXIT.ok;
}
