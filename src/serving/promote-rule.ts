/**
 * Promotion rules: when a version trained online may take its alias. A rule is one or more
 * comparisons joined by `and`; each compares a metric of the new version with a number or
 * with the same metric of the version it was trained from (`previous`), measured on the
 * same rows.
 *
 * @example
 * parsePromoteRule('silhouette >= previous - 0.01 and inertia <= previous * 1.1');
 */

/** One comparison of a rule. */
export interface Comparison {
  metric: string;
  op: '>=' | '>' | '<=' | '<' | '==';
  /** `previous` (optionally shifted or scaled) or a constant. */
  against: { previous: true; offset: number; factor: number } | { previous: false; value: number };
}

/** A parsed rule: every comparison must hold. */
export interface PromoteRule {
  text: string;
  all: Comparison[];
}

const COMPARISON =
  /^([A-Za-z_][A-Za-z0-9_.]*)\s*(>=|<=|==|>|<)\s*(?:(previous)(?:\s*([-+*])\s*(\d+(?:\.\d+)?(?:e[-+]?\d+)?))?|(-?\d+(?:\.\d+)?(?:e[-+]?\d+)?))$/i;

/** Parses `text`, or says what is wrong with it. */
export function parsePromoteRule(text: string): PromoteRule | { error: string } {
  const parts = text.split(/\s+and\s+/i).map((part) => part.trim());
  const all: Comparison[] = [];
  for (const part of parts) {
    const match = COMPARISON.exec(part);
    if (!match) {
      return {
        error: `'${part}' is not a comparison; expected METRIC OP (previous [+-* NUMBER] | NUMBER) with OP one of >= > <= < ==, joined by 'and'`,
      };
    }
    const [, metric, op, previous, sign, amount, constant] = match;
    const number = Number(amount ?? 0);
    all.push({
      metric: metric as string,
      op: op as Comparison['op'],
      against: previous
        ? {
            previous: true,
            offset: sign === '+' ? number : sign === '-' ? -number : 0,
            factor: sign === '*' ? number : 1,
          }
        : { previous: false, value: Number(constant) },
    });
  }
  return { text, all };
}

/** Whether `rule` holds for `next` against `previous`, and why (or why not). */
export function checkPromoteRule(
  rule: PromoteRule,
  next: Record<string, number>,
  previous: Record<string, number>,
): { holds: boolean; reason: string } {
  const reasons: string[] = [];
  for (const comparison of rule.all) {
    const value = next[comparison.metric];
    if (value === undefined) {
      return { holds: false, reason: `the new version has no metric '${comparison.metric}'` };
    }
    let bound: number;
    if (comparison.against.previous) {
      const before = previous[comparison.metric];
      if (before === undefined) {
        return { holds: false, reason: `the previous version has no metric '${comparison.metric}'` };
      }
      bound = before * comparison.against.factor + comparison.against.offset;
    } else {
      bound = comparison.against.value;
    }
    const holds = compare(value, comparison.op, bound);
    reasons.push(
      `${comparison.metric} ${format(value)} ${holds ? '' : 'not '}${comparison.op} ${format(bound)}`,
    );
    if (!holds) return { holds: false, reason: reasons.join(', ') };
  }
  return { holds: true, reason: reasons.join(', ') };
}

function compare(value: number, op: Comparison['op'], bound: number): boolean {
  switch (op) {
    case '>=':
      return value >= bound;
    case '>':
      return value > bound;
    case '<=':
      return value <= bound;
    case '<':
      return value < bound;
    case '==':
      return value === bound;
    default: {
      const never: never = op;
      return never;
    }
  }
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toPrecision(4);
}
