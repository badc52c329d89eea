/**
 * The launch form's values: what each field starts with (the param's default) and how its
 * text becomes the JSON value sent in `POST /api/pipelines/{name}/runs`, with a message that
 * names the field when it cannot. The server checks again; these rules mirror its own.
 */
import type { PipelineParam } from './types';

/** A field's state: text for inputs, selects and JSON; a flag for booleans. */
export type FieldValue = string | boolean;

/** A field's outcome: a value to send, nothing (the server's default applies), or an error. */
export type FieldOutcome = { value: unknown } | { omitted: true } | { error: string };

const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const MODEL_ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;

/** Whether `ref` is `name`, `name@alias` or `name:version`. */
export function isModelRef(ref: string): boolean {
  const version = /^([^@:]+):([1-9]\d{0,8})$/.exec(ref);
  if (version) return MODEL_NAME.test(version[1]!);
  const [name = '', alias, ...rest] = ref.split('@');
  return rest.length === 0 && MODEL_NAME.test(name) && (alias === undefined || MODEL_ALIAS.test(alias));
}

/** The text an enum option or default shows as. */
export function valueText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** The value a field starts with: the param's default, or empty. */
export function initialValue(param: PipelineParam): FieldValue {
  const hasDefault = !param.required;
  if (param.type === 'boolean' && !param.enum) return hasDefault && param.default === true;
  if (param.enum) {
    const index = hasDefault
      ? param.enum.findIndex((item) => JSON.stringify(item) === JSON.stringify(param.default))
      : -1;
    return index >= 0 ? String(index) : '';
  }
  if (!hasDefault || param.default === undefined || param.default === null) return '';
  if (param.type === 'json') return JSON.stringify(param.default, null, 2);
  return valueText(param.default);
}

/** Converts one field as the server will, or says what is wrong, naming the param. */
export function parseField(param: PipelineParam, raw: FieldValue): FieldOutcome {
  const name = param.name;
  if (typeof raw === 'boolean') return { value: raw };
  if (param.enum) {
    if (raw === '')
      return param.required ? { error: `${name}: choose one of the values` } : { omitted: true };
    return { value: param.enum[Number(raw)] };
  }
  const text = param.type === 'string' || param.type === 'json' ? raw : raw.trim();
  if (text.trim() === '') return param.required ? { error: `${name} is required` } : { omitted: true };
  const found = JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text);
  switch (param.type) {
    case 'string':
      return { value: text };
    case 'integer': {
      const value = Number(text);
      return /^-?\d+$/.test(text) && Number.isSafeInteger(value)
        ? { value }
        : { error: `${name}: expected an integer (a whole number such as 3), found ${found}` };
    }
    case 'number': {
      const value = Number(text);
      return Number.isFinite(value) ? { value } : { error: `${name}: expected a number, found ${found}` };
    }
    case 'boolean':
      return ['true', 'false'].includes(text)
        ? { value: text === 'true' }
        : { error: `${name}: expected true or false` };
    case 'model':
      return isModelRef(text)
        ? { value: text }
        : { error: `${name}: expected a model reference NAME, NAME@ALIAS or NAME:VERSION, found ${found}` };
    case 'json':
      try {
        return { value: JSON.parse(text) as unknown };
      } catch (error) {
        return { error: `${name}: expected JSON (${(error as Error).message})` };
      }
    default: {
      const never: never = param.type;
      return { error: `${name}: unknown type ${String(never)}` };
    }
  }
}

/** The params to send and the errors by param name. */
export function buildParams(
  params: readonly PipelineParam[],
  values: Record<string, FieldValue>,
): { params: Record<string, unknown>; errors: Record<string, string> } {
  const out: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const param of params) {
    const outcome = parseField(param, values[param.name] ?? initialValue(param));
    if ('error' in outcome) errors[param.name] = outcome.error;
    else if ('value' in outcome) out[param.name] = outcome.value;
  }
  return { params: out, errors };
}

/** The param a server message is about (`param 'epochs': ...`), if it names one. */
export function paramOfMessage(message: string, params: readonly PipelineParam[]): string | undefined {
  const named = /param '([^']+)'/.exec(message)?.[1];
  return params.some((param) => param.name === named) ? named : undefined;
}
