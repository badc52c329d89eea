/**
 * Backfills: the runs a pipeline would have had over a past range. For a cron pipeline the
 * range is dates and each tick of its schedule becomes a run (its `logical_date` param set
 * to the tick); for a data pipeline the range is two commits of an input repo's branch and
 * each commit from the first to the last becomes a run reading that commit.
 */
import { SluiceError } from '../core/index.js';
import { repoLeaves, type Repos } from '../data/index.js';
import { leafLabel } from '../engine/data-plan.js';
import type { Pipeline } from '../spec/index.js';
import { ticksBetween, schedulesOf } from './cron.js';
import type { LaunchRequest } from './types.js';

/** A day (`2026-11-01`) or an ISO date-time. */
const DATE = /^\d{4}-\d{2}-\d{2}([T ][\d:.]+(Z|[+-]\d{2}:?\d{2})?)?$/;
/** The most runs one backfill queues. */
export const MAX_BACKFILL_RUNS = 10_000;

/** Options of {@link planBackfill}. */
export interface BackfillRange {
  from: string;
  to: string;
  /** For a data pipeline with several inputs: the one whose commits the range names. */
  input?: string;
  /** Params given to every run. */
  params?: Record<string, unknown>;
}

/** The runs of a backfill, oldest first. */
export async function planBackfill(
  pipeline: Pipeline,
  range: BackfillRange,
  repos: Repos,
): Promise<LaunchRequest[]> {
  const trigger = (extra: { tick?: string; commit?: string }) => ({
    kind: 'backfill' as const,
    backfill: '',
    ...extra,
  });
  if (DATE.test(range.from) || DATE.test(range.to)) {
    const [schedule] = schedulesOf(pipeline);
    if (!schedule) {
      throw new SluiceError(
        'USAGE',
        `pipeline '${pipeline.name}' has no cron trigger, so a backfill over dates has no ticks; give two commits of an input repo instead`,
      );
    }
    const from = parseDate('--from', range.from, false);
    const to = parseDate('--to', range.to, true);
    if (from > to) throw new SluiceError('USAGE', `--from ${range.from} is after --to ${range.to}`);
    const ticks = ticksBetween(schedule, new Date(from.getTime() - 1), to);
    if (ticks.length > MAX_BACKFILL_RUNS)
      throw new SluiceError(
        'USAGE',
        `the range holds ${ticks.length} ticks; at most ${MAX_BACKFILL_RUNS} per backfill`,
      );
    return ticks.map((tick) => ({
      pipeline: pipeline.name,
      params: {
        ...range.params,
        ...('logical_date' in pipeline.params ? { logical_date: tick.toISOString() } : {}),
      },
      trigger: trigger({ tick: tick.toISOString() }),
    }));
  }
  const leaves = Object.values(pipeline.inputs).flatMap((input) =>
    repoLeaves(input).map((leaf) => ({ label: leafLabel(input, leaf), leaf })),
  );
  const chosen = range.input
    ? leaves.filter((item) => item.label === range.input || item.leaf.repo === range.input)
    : leaves;
  if (leaves.length === 0) {
    throw new SluiceError(
      'USAGE',
      `pipeline '${pipeline.name}' reads no repo; backfill it over dates of its cron trigger`,
    );
  }
  if (chosen.length !== 1) {
    throw new SluiceError(
      'USAGE',
      `${range.input ? `'${range.input}' names ${chosen.length} inputs` : 'the pipeline reads several inputs'}; pick one with --input (${leaves.map((item) => item.label).join(', ')})`,
    );
  }
  const { label, leaf } = chosen[0]!;
  const first = await repos.resolveCommit(leaf.repo, range.from);
  const last = await repos.resolveCommit(leaf.repo, range.to);
  const history = await repos.log(last, MAX_BACKFILL_RUNS + 1);
  const start = history.findIndex((commit) => commit.id === first.id);
  if (start < 0) {
    throw new SluiceError(
      'USAGE',
      `commit ${first.id} is not an ancestor of ${last.id} in repo '${leaf.repo}' (within ${MAX_BACKFILL_RUNS} commits); give --from the older commit`,
    );
  }
  return history
    .slice(0, start + 1)
    .reverse()
    .map((commit) => ({
      pipeline: pipeline.name,
      params: { ...range.params },
      inputCommits: [{ input: label, repo: leaf.repo, branch: commit.branch, commit: commit.id }],
      trigger: trigger({ commit: commit.id }),
    }));
}

/** A day means its start for `--from` and its end for `--to`; times are UTC unless they say. */
function parseDate(flag: string, text: string, endOfDay: boolean): Date {
  const day = /^\d{4}-\d{2}-\d{2}$/.test(text);
  const date = new Date(day ? `${text}T00:00:00Z` : text);
  if (Number.isNaN(date.getTime()))
    throw new SluiceError(
      'USAGE',
      `${flag}: '${text}' is not a date; expected 2026-11-01 or an ISO date-time`,
    );
  return day && endOfDay ? new Date(date.getTime() + 24 * 3600_000 - 1) : date;
}
