/**
 * Model names and references, as pipeline params (`type: model`) and the CLI write them:
 * `name` (the latest version), `name@alias` or `name:version`.
 */

/** A model name: lowercase letters, digits and '-', starting with a letter or digit (max 63). */
export const MODEL_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
/** An alias: lowercase letters, digits, '-' and '_', starting with a letter (max 63). */
export const MODEL_ALIAS = /^[a-z][a-z0-9_-]{0,62}$/;

/** A parsed model reference. */
export type ModelRef =
  { name: string; kind: 'alias'; alias: string } | { name: string; kind: 'version'; version: number };

/**
 * Parses `name`, `name@alias` or `name:version`; returns an error message saying what is
 * allowed when `ref` is none of these.
 */
export function parseModelRef(ref: string): ModelRef | { error: string } {
  const allowed = "expected NAME, NAME@ALIAS or NAME:VERSION (a name of lowercase letters, digits and '-')";
  const at = ref.indexOf('@');
  const colon = ref.indexOf(':');
  if (at >= 0 && colon >= 0) return { error: `model reference '${ref}': ${allowed}` };
  if (colon >= 0) {
    const name = ref.slice(0, colon);
    const version = ref.slice(colon + 1);
    if (!MODEL_NAME.test(name) || !/^[1-9]\d{0,8}$/.test(version)) {
      return { error: `model reference '${ref}': ${allowed}; a version is a number >= 1` };
    }
    return { name, kind: 'version', version: Number(version) };
  }
  const name = at >= 0 ? ref.slice(0, at) : ref;
  const alias = at >= 0 ? ref.slice(at + 1) : 'latest';
  if (!MODEL_NAME.test(name) || !MODEL_ALIAS.test(alias))
    return { error: `model reference '${ref}': ${allowed}` };
  return { name, kind: 'alias', alias };
}

/** Formats a reference back (`name:3`, `name@production`; `name` for latest). */
export function formatModelRef(ref: ModelRef): string {
  if (ref.kind === 'version') return `${ref.name}:${ref.version}`;
  return ref.alias === 'latest' ? ref.name : `${ref.name}@${ref.alias}`;
}
