/** `sluice validate FILE`: every problem at once, each with file:line:column and a code. */
import { resolve } from 'node:path';
import { formatReport, loadPipelineFile } from '../../spec/index.js';
import { EXIT } from '../exit-codes.js';
import type { Io } from '../io.js';

export async function validateCommand(file: string, options: { json?: boolean }, io: Io): Promise<number> {
  const report = await loadPipelineFile(resolve(io.cwd, file));
  const text = formatReport(report, { json: Boolean(options.json) });
  // Like tsc and eslint, the problems are the command's output: stdout, with the exit code.
  io.out(text.endsWith('\n') ? text : `${text}\n`);
  return report.valid ? EXIT.ok : EXIT.invalid;
}
