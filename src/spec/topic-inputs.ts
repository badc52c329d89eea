/**
 * Topics in a spec: stream inputs (`inputs: { samples: { topic, group, batch, timeout } }`)
 * and what steps publish (`topics: [...]` for `ctx.publish`, `publish: { output: topic }`).
 * Checks names a schema cannot, and compiles the {@link TopicInputSpec} model.
 */
import { TOPIC_NAME } from '../streams/topics.js';
import { parseDuration } from './duration.js';
import type { TopicInputSpec } from './model.js';
import type { Problems } from './problems.js';
import type { RawPipeline, RawTopicInput } from './schema.js';

const RULE = "lowercase letters, digits, '.', '_' and '-', starting with a letter or digit";

/** The group a stream input consumes as when the spec names none. */
export function defaultGroup(pipeline: string, input: string): string {
  return `${pipeline}.${input}`.toLowerCase();
}

/** Adds a problem for each bad topic or group name, timeout param, and publish mapping. */
export function checkTopicUse(spec: RawPipeline, problems: Problems): void {
  for (const [name, input] of Object.entries(spec.inputs)) {
    if (!('topic' in input)) continue;
    const path = ['inputs', name];
    if (!TOPIC_NAME.test(input.topic)) {
      problems.at(
        [...path, 'topic'],
        'SPEC_TYPE',
        `stream input '${name}': topic name '${input.topic}' is not valid: use ${RULE}`,
      );
    }
    const group = input.group ?? defaultGroup(spec.name, name);
    if (!TOPIC_NAME.test(group)) {
      problems.at(
        [...path, input.group === undefined ? 'topic' : 'group'],
        'SPEC_TYPE',
        `stream input '${name}': group name '${group}' is not valid: use ${RULE}`,
      );
    }
    if (typeof input.timeout === 'object' && 'param' in input.timeout) {
      const param = spec.params[input.timeout.param];
      if (!param) {
        problems.at(
          [...path, 'timeout', 'param'],
          'SPEC_MISSING_INPUT',
          `stream input '${name}': timeout param '${input.timeout.param}' is not declared under 'params'`,
        );
      } else if (param.type !== 'integer' && param.type !== 'number') {
        problems.at(
          [...path, 'timeout', 'param'],
          'SPEC_TYPE',
          `stream input '${name}': timeout param '${input.timeout.param}' must be an integer or number (milliseconds), found type ${param.type}`,
        );
      }
    }
  }
  const consumed = Object.values(spec.inputs).flatMap((input) => ('topic' in input ? [input.topic] : []));
  spec.triggers.forEach((trigger, index) => {
    if (!('topic' in trigger) || consumed.includes(trigger.topic)) return;
    problems.at(
      ['triggers', index, 'topic'],
      'SPEC_MISSING_INPUT',
      `trigger on topic '${trigger.topic}': no stream input of the pipeline consumes it; stream inputs consume: ${consumed.join(', ') || '(none)'}`,
    );
  });
  for (const [stepName, step] of Object.entries(spec.steps)) {
    (step.topics ?? []).forEach((topic, index) => {
      if (TOPIC_NAME.test(topic)) return;
      problems.at(
        ['steps', stepName, 'topics', index],
        'SPEC_TYPE',
        `step '${stepName}': topic name '${topic}' is not valid: use ${RULE}`,
      );
    });
    const outputs = step.outputs.map((ref) => ref.replace(/\[\]$/, ''));
    for (const [output, topic] of Object.entries(step.publish ?? {})) {
      if (!outputs.includes(output)) {
        problems.atKey(
          ['steps', stepName, 'publish', output],
          'SPEC_MISSING_INPUT',
          `step '${stepName}' publishes output '${output}', which it does not list under 'outputs'; outputs: ${outputs.join(', ') || '(none)'}`,
        );
      }
      if (!TOPIC_NAME.test(topic)) {
        problems.at(
          ['steps', stepName, 'publish', output],
          'SPEC_TYPE',
          `step '${stepName}': topic name '${topic}' is not valid: use ${RULE}`,
        );
      }
    }
  }
}

/** The model of a checked stream input. */
export function compileTopicInput(pipeline: string, name: string, input: RawTopicInput): TopicInputSpec {
  return {
    kind: 'topic',
    name,
    topic: input.topic,
    group: input.group ?? defaultGroup(pipeline, name),
    batch: input.batch,
    timeoutMs:
      typeof input.timeout === 'object' ? { param: input.timeout.param } : parseDuration(input.timeout),
    waitMs: input.wait === undefined ? 1000 : parseDuration(input.wait),
    start: input.start,
    ...(input.description !== undefined ? { description: input.description } : {}),
  };
}
