/**
 * Run params: values from the CLI arrive as strings and are converted to the declared
 * type; values from code or the API may already be typed. Every problem is collected and
 * reported at once, before anything runs.
 */
import { SluiceError, type ErrorCode } from '../core/index.js';
import type { ParamSpec, Pipeline } from './model.js';
import { parseModelRef } from './model-ref.js';

function convert(spec: ParamSpec, raw: unknown): { value?: unknown; error?: string } {
  const found = typeof raw === 'string' ? JSON.stringify(raw) : (JSON.stringify(raw) ?? String(raw));
  switch (spec.type) {
    case 'string':
      return typeof raw === 'string' ? { value: raw } : { error: `expected string, found ${found}` };
    case 'number': {
      const value = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : raw;
      return typeof value === 'number' && Number.isFinite(value)
        ? { value }
        : { error: `expected number, found ${found}` };
    }
    case 'integer': {
      const value = typeof raw === 'string' && /^-?\d+$/.test(raw.trim()) ? Number(raw) : raw;
      return typeof value === 'number' && Number.isSafeInteger(value)
        ? { value }
        : { error: `expected integer, found ${found}` };
    }
    case 'boolean': {
      if (typeof raw === 'boolean') return { value: raw };
      const text = typeof raw === 'string' ? raw.trim().toLowerCase() : '';
      if (['true', '1', 'yes', 'on'].includes(text)) return { value: true };
      if (['false', '0', 'no', 'off'].includes(text)) return { value: false };
      return { error: `expected boolean (true/false), found ${found}` };
    }
    case 'model': {
      if (typeof raw !== 'string')
        return { error: `expected a model reference NAME, NAME@ALIAS or NAME:VERSION, found ${found}` };
      const parsed = parseModelRef(raw.trim());
      return 'error' in parsed ? { error: parsed.error } : { value: raw.trim() };
    }
    case 'json':
      if (typeof raw !== 'string') return { value: raw };
      try {
        return { value: JSON.parse(raw) };
      } catch (error) {
        return { error: `expected JSON, found ${found} (${(error as Error).message})` };
      }
    default: {
      const never: never = spec.type;
      return { error: `unknown param type ${String(never)}` };
    }
  }
}

/**
 * Checks and converts `given` against the pipeline's params, filling defaults.
 * Throws one `PARAM_*` error listing every problem.
 */
export function resolveParams(pipeline: Pipeline, given: Record<string, unknown>): Record<string, unknown> {
  const problems: { code: ErrorCode; message: string }[] = [];
  const resolved: Record<string, unknown> = {};
  for (const name of Object.keys(given)) {
    if (!(name in pipeline.params)) {
      const declared = Object.keys(pipeline.params).join(', ') || '(none)';
      problems.push({
        code: 'PARAM_UNKNOWN',
        message: `param '${name}' is not declared by pipeline '${pipeline.name}'; declared: ${declared}`,
      });
    }
  }
  for (const spec of Object.values(pipeline.params)) {
    if (!(spec.name in given)) {
      if ('default' in spec) resolved[spec.name] = spec.default;
      else
        problems.push({
          code: 'PARAM_MISSING',
          message: `param '${spec.name}' is required (type ${spec.type}); pass -p ${spec.name}=...`,
        });
      continue;
    }
    const { value, error } = convert(spec, given[spec.name]);
    if (error !== undefined) {
      problems.push({ code: 'PARAM_TYPE', message: `param '${spec.name}': ${error}` });
      continue;
    }
    if (spec.enum && !spec.enum.some((allowed) => JSON.stringify(allowed) === JSON.stringify(value))) {
      problems.push({
        code: 'PARAM_TYPE',
        message: `param '${spec.name}': ${JSON.stringify(value)} is not one of ${spec.enum.map((item) => JSON.stringify(item)).join(', ')}`,
      });
      continue;
    }
    resolved[spec.name] = value;
  }
  const first = problems[0];
  if (first) {
    throw new SluiceError(first.code, problems.map((problem) => problem.message).join('\n'), {
      details: { problems },
    });
  }
  return resolved;
}
