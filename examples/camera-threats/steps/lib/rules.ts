/**
 * Threat rules: which detections on which cameras at which hours are a threat, how severe,
 * and whom to tell. Read from a YAML file (see `rules.yaml` beside `pipeline.yaml`):
 *
 * ```yaml
 * rules:
 *   - name: person-at-night-cam3   # required, unique: [a-z0-9_-]+ (it names the threat)
 *     devices: [cam3]              # optional: camera folders; '*' or left out = every camera
 *     labels: [person]             # required: COCO labels the detector reports; '*' = any
 *     min_score: 0.6               # optional, 0 < x <= 1; left out = the pipeline's min_score
 *     hours: "20-6"                # optional: local hours [from, to), 0-24; wraps past midnight
 *     severity: high               # required: low | medium | high
 *     notify: [email, webhook]     # optional: channels; left out = none (the threat is recorded)
 * ```
 *
 * `hours` is read against the frame's `taken_at` (the camera's local clock, from the file
 * name), so a rule with `hours` never matches a frame whose time is unknown. "20-6" is
 * 20:00 to 05:59, "8-17" is 08:00 to 16:59, "0-24" is all day.
 *
 * Every problem is reported with file, line and column and what is allowed; all problems of
 * a file are reported at once.
 */
import { isMap, isScalar, isSeq, LineCounter, parseDocument, type Node, type YAMLMap } from 'yaml';
import { COCO_LABELS } from './coco-labels.js';

/** Severities, least severe first (a threat's rank is its index). */
export const SEVERITIES = ['low', 'medium', 'high'] as const;
/** How bad a threat is. */
export type Severity = (typeof SEVERITIES)[number];
/** The ways `notify` can tell people. */
export const CHANNELS = ['email', 'webhook'] as const;
/** A notification channel. */
export type Channel = (typeof CHANNELS)[number];

/** A local hours window `[start, end)`; `start > end` wraps past midnight. */
export interface Hours {
  start: number;
  end: number;
}

/** A validated rule; plain JSON, as it travels between steps. */
export interface Rule {
  name: string;
  /** Camera folders, or '*' for every camera. */
  devices: string[] | '*';
  /** Detector labels, or '*' for any. */
  labels: string[] | '*';
  /** null: every detection the detector reports (it already applied the pipeline's min_score). */
  min_score: number | null;
  hours: Hours | null;
  severity: Severity;
  notify: Channel[];
}

const RULE_KEYS = ['name', 'devices', 'labels', 'min_score', 'hours', 'severity', 'notify'] as const;
const NAME = /^[a-z0-9][a-z0-9_-]*$/;
const HOURS = /^\s*(\d{1,2})\s*-\s*(\d{1,2})\s*$/;
const KNOWN_LABELS = new Set<string>(COCO_LABELS);

/**
 * Parses and validates a rules file's text; `file` names it in messages.
 *
 * @throws an Error listing every problem as `file:line:col what; allowed: ...`.
 */
export function parseRules(text: string, file: string): Rule[] {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, prettyErrors: false });
  const problems: Array<{ offset: number; message: string }> = [];
  const fail = (): Error => {
    const lines = problems
      .sort((a, b) => a.offset - b.offset)
      .map(({ offset, message }) => {
        const { line, col } = lineCounter.linePos(offset);
        return `${file}:${line}:${col} ${message}`;
      });
    return new Error(lines.join('\n'));
  };
  const report = (node: Node | null | undefined, message: string): void => {
    problems.push({ offset: node?.range?.[0] ?? 0, message });
  };
  for (const error of doc.errors)
    problems.push({ offset: error.pos[0], message: `invalid YAML: ${error.message}` });
  if (problems.length > 0) throw fail();

  const root = doc.contents;
  if (!isMap(root)) {
    report(root, "expected a mapping with the key 'rules'");
    throw fail();
  }
  let rulesNode: Node | null = null;
  for (const pair of root.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if (key === 'rules') rulesNode = pair.value as Node | null;
    else report(pair.key as Node, `unknown key '${key}'; allowed: rules`);
  }
  if (!isSeq(rulesNode) || rulesNode.items.length === 0) {
    report(
      rulesNode ?? root,
      rulesNode ? "'rules' must be a non-empty list of rules" : "'rules' is required",
    );
    throw fail();
  }

  const rules: Rule[] = [];
  const names = new Set<string>();
  rulesNode.items.forEach((item, index) => {
    const rule = parseRule(item as Node, index, report);
    if (!rule) return;
    if (names.has(rule.name))
      report(
        (item as YAMLMap).get('name', true) as Node,
        `rule '${rule.name}': the name is used by an earlier rule`,
      );
    names.add(rule.name);
    rules.push(rule);
  });
  if (problems.length > 0) throw fail();
  return rules;
}

type Report = (node: Node | null | undefined, message: string) => void;

function parseRule(node: Node, index: number, report: Report): Rule | null {
  if (!isMap(node)) {
    report(node, `rule ${index + 1}: expected a mapping with keys ${RULE_KEYS.join(', ')}`);
    return null;
  }
  const nameNode = node.get('name', true) as Node | undefined;
  const name = isScalar(nameNode) && typeof nameNode.value === 'string' ? nameNode.value : null;
  const where = name ? `rule '${name}'` : `rule ${index + 1}`;
  const values = new Map<string, Node>();
  for (const pair of node.items) {
    const key = isScalar(pair.key) ? String(pair.key.value) : '';
    if ((RULE_KEYS as readonly string[]).includes(key)) values.set(key, pair.value as Node);
    else report(pair.key as Node, `${where}: unknown key '${key}'; allowed: ${RULE_KEYS.join(', ')}`);
  }
  if (nameNode === undefined) report(node, `${where}: 'name' is required`);
  else if (name === null || !NAME.test(name))
    report(
      nameNode,
      `${where}: 'name' must be lowercase letters, digits, '-' and '_', found ${show(nameNode)}`,
    );

  const required = (key: string): Node | undefined => {
    const value = values.get(key);
    if (value === undefined) report(node, `${where}: '${key}' is required`);
    return value;
  };
  const devices = listOrAll(values.get('devices'), `${where}: 'devices'`, report, () => null);
  const labelsNode = required('labels');
  const labels =
    labelsNode === undefined
      ? null
      : listOrAll(labelsNode, `${where}: 'labels'`, report, (label) =>
          KNOWN_LABELS.has(label)
            ? null
            : `unknown label '${label}'; the detector reports COCO labels (${COCO_LABELS.slice(0, 6).join(', ')}, …)`,
        );

  let minScore: number | null = null;
  const scoreNode = values.get('min_score');
  if (scoreNode !== undefined) {
    const value = isScalar(scoreNode) ? scoreNode.value : undefined;
    if (typeof value === 'number' && value > 0 && value <= 1) minScore = value;
    else
      report(
        scoreNode,
        `${where}: 'min_score' must be a number above 0 and at most 1, found ${show(scoreNode)}`,
      );
  }

  let hours: Hours | null = null;
  const hoursNode = values.get('hours');
  if (hoursNode !== undefined) {
    hours = parseHours(hoursNode);
    if (hours === null)
      report(
        hoursNode,
        `${where}: 'hours' must be "FROM-TO" in whole hours 0-24 with FROM before 24 and FROM != TO ` +
          `(e.g. "20-6" wraps past midnight), found ${show(hoursNode)}`,
      );
  }

  const severityNode = required('severity');
  const severity =
    severityNode === undefined ? null : oneOf(severityNode, SEVERITIES, `${where}: 'severity'`, report);

  const notifyNode = values.get('notify');
  let notify: Channel[] = [];
  if (notifyNode !== undefined) {
    if (!isSeq(notifyNode)) report(notifyNode, `${where}: 'notify' must be a list of ${CHANNELS.join(', ')}`);
    else {
      const channels = notifyNode.items.map((item) =>
        oneOf(item as Node, CHANNELS, `${where}: 'notify'`, report),
      );
      notify = [...new Set(channels.filter((channel): channel is Channel => channel !== null))];
    }
  }

  if (!name || !NAME.test(name) || !devices || !labels || !severity) return null;
  return { name, devices, labels, min_score: minScore, hours, severity, notify };
}

/** A list of non-empty strings, or '*' (alone or as the only item); null after reporting. */
function listOrAll(
  node: Node | undefined,
  what: string,
  report: Report,
  check: (item: string) => string | null,
): string[] | '*' | null {
  if (node === undefined) return '*';
  if (isScalar(node) && node.value === '*') return '*';
  if (!isSeq(node) || node.items.length === 0) {
    report(node, `${what} must be a non-empty list of names or '*', found ${show(node)}`);
    return null;
  }
  const items: string[] = [];
  let ok = true;
  for (const item of node.items as Node[]) {
    const value = isScalar(item) ? item.value : undefined;
    if (typeof value !== 'string' || value.trim() === '') {
      report(item, `${what}: expected a name, found ${show(item)}`);
      ok = false;
      continue;
    }
    const problem = value === '*' ? null : check(value);
    if (problem) {
      report(item, `${what}: ${problem}`);
      ok = false;
    }
    items.push(value);
  }
  if (items.includes('*')) {
    if (items.length === 1) return '*';
    report(node, `${what}: '*' means all and cannot be listed with other names`);
    return null;
  }
  return ok ? [...new Set(items)] : null;
}

function oneOf<T extends string>(node: Node, allowed: readonly T[], what: string, report: Report): T | null {
  const value = isScalar(node) ? node.value : undefined;
  if (typeof value === 'string' && (allowed as readonly string[]).includes(value)) return value as T;
  report(node, `${what}: found ${show(node)}; allowed: ${allowed.join(', ')}`);
  return null;
}

function parseHours(node: Node): Hours | null {
  const value = isScalar(node) ? node.value : undefined;
  const match = typeof value === 'string' ? HOURS.exec(value) : null;
  if (!match) return null;
  const start = Number(match[1]);
  const end = Number(match[2]);
  if (start > 23 || end > 24 || start === end) return null;
  return { start, end };
}

function show(node: Node | null | undefined): string {
  if (node === null || node === undefined) return 'nothing';
  if (isScalar(node)) return node.value === null ? 'nothing' : JSON.stringify(node.value);
  if (isSeq(node)) return node.items.length === 0 ? 'an empty list' : 'a list';
  if (isMap(node)) return 'a mapping';
  return 'an alias';
}

/** Whether local hour `hour` (0-23) is inside the window. */
export function inHours(hours: Hours, hour: number): boolean {
  return hours.start < hours.end
    ? hour >= hours.start && hour < hours.end
    : hour >= hours.start || hour < hours.end;
}
