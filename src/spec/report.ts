/** How `sluice validate` prints a report, for people and for machines. */
import { formatProblem } from '../core/index.js';
import type { ValidationReport } from './compile.js';

/** The report as text (one line per problem, then pruned steps and a summary) or JSON. */
export function formatReport(report: ValidationReport, options: { json: boolean }): string {
  const steps = report.pipeline ? Object.keys(report.pipeline.steps) : [];
  const outputs = report.pipeline?.outputs ?? report.outputs ?? [];
  if (options.json) {
    return `${JSON.stringify({ file: report.file, valid: report.valid, problems: report.problems, pruned: report.pruned, steps, outputs }, null, 2)}\n`;
  }
  const lines = report.problems.map(formatProblem);
  if (report.pruned.length > 0) {
    const desired = report.outputs ?? outputs;
    const they = report.pruned.length === 1 ? 'it cannot contribute' : 'they cannot contribute';
    lines.push(`pruned: ${report.pruned.join(', ')} (${they} to the desired outputs: ${desired.join(', ')})`);
  }
  const count = report.problems.length;
  lines.push(
    report.valid
      ? `✓ ${report.file} is valid: ${steps.length} step${steps.length === 1 ? '' : 's'}, outputs: ${outputs.join(', ')}`
      : `✗ ${count} problem${count === 1 ? '' : 's'} in ${report.file}`,
  );
  return `${lines.join('\n')}\n`;
}
