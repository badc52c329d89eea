/** `sluice runs`, `sluice show RUN`, `sluice logs RUN [-f]`, `sluice cancel RUN`. */
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import type { LogRecord, RunRecord, RunStatus, TaskRecord } from '../../store/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { integerFlag } from '../flags.js';
import { formatSeconds } from '../progress.js';
import { openRunsApi } from '../workspace.js';

const STATUSES: RunStatus[] = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
const TERMINAL_RUN: ReadonlySet<RunStatus> = new Set(['succeeded', 'failed', 'cancelled', 'interrupted']);

function duration(start: Date | null, end: Date | null): string {
  if (!start) return '-';
  return formatSeconds(((end ?? new Date()).getTime() - new Date(start).getTime()) / 1000);
}

function colourStatus(status: string): string {
  if (status === 'succeeded' || status === 'success') return pc.green(status);
  if (status === 'skipped') return pc.dim(status);
  if (status === 'running' || status === 'pending' || status === 'queued') return pc.cyan(status);
  return pc.red(status);
}

export async function runsCommand(
  options: { pipeline?: string; status?: string; limit?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (options.status !== undefined && !STATUSES.includes(options.status as RunStatus)) {
    throw new SluiceError(
      'USAGE',
      `--status: '${options.status}' is not a run status; allowed: ${STATUSES.join(', ')}`,
    );
  }
  const limit = integerFlag('--limit', options.limit, 1) ?? 20;
  const { api, close } = await openRunsApi(config);
  try {
    const runs = await api.listRuns({
      limit,
      ...(options.pipeline ? { pipeline: options.pipeline } : {}),
      ...(options.status ? { status: options.status as RunStatus } : {}),
    });
    if (options.json) {
      io.out(json(runs));
      return EXIT.ok;
    }
    if (runs.length === 0) {
      io.out('no runs yet: start one with `sluice run PIPELINE.yaml`\n');
      return EXIT.ok;
    }
    const width = Math.max(20, ...runs.map((run) => run.pipeline.length + 2));
    io.out(
      `${pc.bold('RUN'.padEnd(13))}${pc.bold('PIPELINE'.padEnd(width))}${pc.bold('STATUS'.padEnd(12))}${pc.bold('STARTED'.padEnd(21))}${pc.bold('DURATION')}\n`,
    );
    for (const run of runs) {
      const started = run.startedAt
        ? new Date(run.startedAt).toISOString().slice(0, 19).replace('T', ' ')
        : '-';
      io.out(
        `${run.id.padEnd(13)}${run.pipeline.padEnd(width)}${colourStatus(run.status).padEnd(12 + (colourStatus(run.status).length - run.status.length))}${started.padEnd(21)}${duration(run.startedAt, run.finishedAt)}\n`,
      );
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}

/** Per step: counts by status, attempts, time span. */
function summariseSteps(
  tasks: TaskRecord[],
): Map<string, { counts: Map<string, number>; attempts: number; start: Date | null; end: Date | null }> {
  const steps = new Map<
    string,
    { counts: Map<string, number>; attempts: number; start: Date | null; end: Date | null }
  >();
  for (const task of tasks) {
    const entry = steps.get(task.step) ?? { counts: new Map(), attempts: 0, start: null, end: null };
    entry.counts.set(task.status, (entry.counts.get(task.status) ?? 0) + 1);
    entry.attempts += task.attempts;
    if (task.startedAt && (!entry.start || task.startedAt < entry.start)) entry.start = task.startedAt;
    if (task.finishedAt && (!entry.end || task.finishedAt > entry.end)) entry.end = task.finishedAt;
    steps.set(task.step, entry);
  }
  return steps;
}

export async function showCommand(
  id: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const { api, close } = await openRunsApi(config);
  try {
    const detail = await api.runDetail(id);
    if (options.json) {
      io.out(json(detail));
      return EXIT.ok;
    }
    const { run } = detail;
    io.out(
      `${pc.bold(`run ${run.id}`)}  ${run.pipeline}  ${colourStatus(run.status)}  ${duration(run.startedAt, run.finishedAt)}\n`,
    );
    io.out(`params: ${JSON.stringify(run.params)}\n`);
    if (run.specFile) io.out(`spec:   ${run.specFile}\n`);
    io.out(
      `\n${pc.bold('STEP'.padEnd(24))}${pc.bold('TASKS'.padEnd(34))}${pc.bold('ATTEMPTS'.padEnd(10))}${pc.bold('TIME')}\n`,
    );
    for (const [step, entry] of summariseSteps(detail.tasks)) {
      const counts = [...entry.counts].map(([status, count]) => `${count} ${status}`).join(', ');
      io.out(
        `${step.padEnd(24)}${counts.padEnd(34)}${String(entry.attempts).padEnd(10)}${duration(entry.start, entry.end)}\n`,
      );
    }
    const failures = detail.tasks.filter((task) => task.status === 'failed');
    for (const task of failures.slice(0, 10)) {
      io.out(
        `${pc.red('✗')} ${task.step}${task.datum ? ` datum ${task.datum}` : ''}: ${task.error?.message ?? ''}\n`,
      );
    }
    if (failures.length > 10) io.out(`  ... and ${failures.length - 10} more failed tasks\n`);
    if (run.error) io.out(`\n${pc.red(run.error.message)}\n`);
    if (run.outputs) io.out(`\n${pc.bold('outputs')}: ${JSON.stringify(run.outputs, null, 2)}\n`);
    if (detail.metrics.length > 0) {
      io.out(`\n${pc.bold('metrics')}:\n`);
      for (const metric of detail.metrics.slice(0, 50)) {
        io.out(
          `  ${metric.step}${metric.datum ? `:${metric.datum}` : ''} ${metric.key}${metric.index === null ? '' : `[${metric.index}]`} = ${metric.value}\n`,
        );
      }
    }
    return EXIT.ok;
  } finally {
    await close();
  }
}

function formatLog(record: LogRecord): string {
  const where = `${record.step || 'run'}${record.datum ? `:${record.datum}` : ''}${record.attempt > 1 ? `#${record.attempt}` : ''}`;
  const time = new Date(record.time).toISOString().slice(11, 23);
  const line =
    record.stream === 'stderr'
      ? pc.yellow(record.line)
      : record.stream === 'engine'
        ? pc.dim(record.line)
        : record.line;
  return `${pc.dim(time)} ${pc.cyan(where)} ${line}\n`;
}

export async function logsCommand(
  id: string,
  options: { follow?: boolean; step?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  let opened = await openRunsApi(config);
  const print = (records: LogRecord[]): void => {
    for (const record of records) io.out(options.json ? `${JSON.stringify(record)}\n` : formatLog(record));
  };
  try {
    const { run } = await opened.api.runDetail(id);
    const step = options.step ? { step: options.step } : {};
    let after = 0;
    for (;;) {
      let current: RunRecord;
      try {
        const records = await opened.api.logs(run.id, { afterSeq: after, limit: 5000, ...step });
        print(records);
        after = records.at(-1)?.seq ?? after;
        if (records.length === 5000) continue;
        if (!options.follow) return EXIT.ok;
        current = (await opened.api.runDetail(run.id)).run;
        if (TERMINAL_RUN.has(current.status)) {
          const rest = await opened.api.logs(run.id, { afterSeq: after, ...step });
          print(rest);
          after = rest.at(-1)?.seq ?? after;
        }
      } catch (error) {
        // The run's process ended between two reads (its control socket closed): read on from
        // the data directory itself. Lines already printed are not printed again.
        if (!(error instanceof SluiceError && error.code === 'STORE_LOCKED') || !options.follow) throw error;
        await opened.close();
        await new Promise((resolve) => setTimeout(resolve, 100));
        opened = await openRunsApi(config);
        continue;
      }
      if (TERMINAL_RUN.has(current.status)) {
        return current.status === 'succeeded'
          ? EXIT.ok
          : current.status === 'cancelled'
            ? EXIT.cancelled
            : EXIT.runFailed;
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  } finally {
    await opened.close();
  }
}

export async function cancelCommand(
  id: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const { api, close } = await openRunsApi(config);
  try {
    const run: RunRecord = await api.cancel(id);
    if (options.json) io.out(json(run));
    else io.out(`run ${run.id} ${run.status}\n`);
    return EXIT.ok;
  } finally {
    await close();
  }
}
