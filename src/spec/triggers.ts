/**
 * Checks of a spec's triggers that the schema cannot express: cron expressions parse,
 * time zones exist, and `after` does not name the pipeline itself.
 */
import { Cron } from 'croner';
import type { Problems } from './problems.js';
import type { RawPipeline } from './schema.js';

/** Whether `tz` is an IANA time zone this Node.js knows. */
export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

/** Reports every trigger problem of `spec` into `problems`. */
export function checkTriggers(spec: RawPipeline, problems: Problems): void {
  spec.triggers.forEach((trigger, index) => {
    if ('cron' in trigger) {
      try {
        new Cron(trigger.cron, { paused: true });
      } catch (error) {
        problems.at(
          ['triggers', index, 'cron'],
          'SPEC_TYPE',
          `'${trigger.cron}' is not a cron expression (${(error as Error).message}); expected e.g. '0 16 * * *' (minute hour day month weekday)`,
        );
      }
      if (trigger.tz !== undefined && !isTimeZone(trigger.tz)) {
        problems.at(
          ['triggers', index, 'tz'],
          'SPEC_TYPE',
          `'${trigger.tz}' is not a time zone; expected an IANA name such as Europe/Paris or UTC`,
        );
      }
    }
    if ('after' in trigger) {
      const names = typeof trigger.after === 'string' ? [trigger.after] : trigger.after;
      if (names.includes(spec.name)) {
        problems.at(
          ['triggers', index, 'after'],
          'SPEC_CYCLE',
          `pipeline '${spec.name}' cannot be triggered after its own runs`,
        );
      }
    }
  });
}
