// The peers benchmark on Snakemake: the rules in ./Snakefile, one `snakemake --cores 2`
// invocation per workload in a fresh working directory, timed from spawn to exit. That
// necessarily includes Snakemake's own start (Python, parsing, building the DAG), so a
// 1-task invocation is measured first and reported beside the figures.
//
// NOTE: Snakemake's default ILP job scheduler needs ~3 minutes for the 2,000 tasks on the
// bench machine (greedy: ~30 s), so the greedy scheduler is used unless `--snakemake-ilp`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PEERS_DIR, SLOTS, WORKLOADS, measurement, runCommand, skipped, tail } from './lib.js';

const SYSTEM = 'snakemake';
const DEADLINE_MS = 240_000;

/**
 * @param {{ ilp?: boolean }} [options] `ilp`: keep Snakemake's default (ILP) scheduler
 * @returns {Promise<import('./lib.js').SystemResult>}
 */
export async function measureSnakemake(options = {}) {
  const version = await runCommand('snakemake', ['--version'], { timeoutMs: 30_000 });
  if (version.code !== 0) {
    return skipped(SYSTEM, `no working \`snakemake\` on PATH (${version.error ?? tail(version.stderr, 2)})`);
  }
  const root = await mkdtemp(join(tmpdir(), 'sluice-peers-snakemake-'));
  const scheduler = options.ilp ? [] : ['--scheduler', 'greedy'];
  /**
   * @param {string} workload
   * @param {number} n
   */
  const invoke = async (workload, n) => {
    const dir = await mkdtemp(join(root, `${workload}-`));
    const args = ['--snakefile', join(PEERS_DIR, 'Snakefile'), '--directory', dir, '--cores', String(SLOTS)];
    args.push(...scheduler, '--config', `workload=${workload}`, `n=${n}`, '--quiet');
    const result = await runCommand('snakemake', args, { timeoutMs: DEADLINE_MS });
    if (result.code !== 0) {
      throw new Error(
        `snakemake ${workload} n=${n}: ${result.error ?? `exit code ${result.code}`}; ${tail(result.stderr)}`,
      );
    }
    return result.ms;
  };
  try {
    const startMs = await invoke('noop', 1);
    const noop = await invoke('noop', WORKLOADS.noop.tasks);
    const fan = await invoke('fan', WORKLOADS.fan.tasks - 2);
    const chain = await invoke('chain', WORKLOADS.chain.tasks);
    return {
      system: SYSTEM,
      workloads: {
        noop: measurement('noop', noop),
        fan: measurement('fan', fan),
        chain: measurement('chain', chain),
      },
      notes: [
        `snakemake ${version.stdout.trim()}: one invocation per workload, --cores ${SLOTS}, ` +
          `${options.ilp ? 'default (ILP)' : 'greedy'} scheduler, shell rules; ` +
          `figures INCLUDE Snakemake's start per invocation (a 1-task invocation: ${startMs.toFixed(0)} ms)`,
      ],
      extra: { oneTaskInvocationMs: startMs, scheduler: options.ilp ? 'ilp' : 'greedy' },
    };
  } catch (error) {
    return skipped(SYSTEM, error instanceof Error ? error.message : String(error));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}
