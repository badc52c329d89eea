import { describe, expect, it } from 'vitest';
import { checkPromoteRule, parsePromoteRule, type PromoteRule } from './promote-rule.js';

const rule = (text: string) => parsePromoteRule(text) as PromoteRule;

describe('promotion rules', () => {
  it('compares with the previous version, shifted or scaled, and with constants', () => {
    const both = rule('silhouette >= previous - 0.01 and inertia <= previous * 1.1');
    expect(
      checkPromoteRule(both, { silhouette: 0.6, inertia: 10 }, { silhouette: 0.605, inertia: 9.5 }),
    ).toEqual({
      holds: true,
      reason: 'silhouette 0.6000 >= 0.5950, inertia 10 <= 10.45',
    });
    expect(
      checkPromoteRule(both, { silhouette: 0.59, inertia: 10 }, { silhouette: 0.605, inertia: 9.5 }),
    ).toEqual({
      holds: false,
      reason: 'silhouette 0.5900 not >= 0.5950',
    });
    expect(checkPromoteRule(rule('accuracy > 0.9'), { accuracy: 0.95 }, {}).holds).toBe(true);
  });

  it('does not promote when a metric is missing on either side', () => {
    const drop = rule('silhouette >= previous');
    expect(checkPromoteRule(drop, {}, { silhouette: 1 })).toEqual({
      holds: false,
      reason: "the new version has no metric 'silhouette'",
    });
    expect(checkPromoteRule(drop, { silhouette: 1 }, {}).reason).toBe(
      "the previous version has no metric 'silhouette'",
    );
  });

  it('says what a malformed rule should look like', () => {
    expect(parsePromoteRule('silhouette improves')).toMatchInlineSnapshot(`
      {
        "error": "'silhouette improves' is not a comparison; expected METRIC OP (previous [+-* NUMBER] | NUMBER) with OP one of >= > <= < ==, joined by 'and'",
      }
    `);
  });
});
