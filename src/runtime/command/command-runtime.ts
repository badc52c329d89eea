/**
 * The command runtime: any program, run as a subprocess in its own process group,
 * following the command contract (DESIGN.md): inputs in `SLUICE_INPUTS`, outputs to
 * `SLUICE_OUTPUTS` and `SLUICE_OUT/<output>/`, metrics to `SLUICE_METRICS`, stdout and
 * stderr as log lines, exit code 0 for success. On timeout or cancel the whole group gets
 * SIGTERM, then SIGKILL after a grace period, so grandchildren die too.
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:fs';
import { access, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { delimiter, isAbsolute, join, resolve } from 'node:path';
import { SluiceError, canonicalJson, sha256 } from '../../core/index.js';
import { storeDirectory, type ObjectStore } from '../../data/index.js';
import type { StepSpec } from '../../spec/index.js';
import { layoutInputs } from '../inputs.js';
import { checkOutputs } from '../outputs.js';
import { cancelledError, timeoutError } from '../attempt-errors.js';
import type { StepResult, StepRuntime, StepTask } from '../runtime.js';
import { LineSplitter } from './line-splitter.js';
import { collectTrackingDirs, prepareTrackingDirs } from './tracking-dirs.js';

/** Options of {@link createCommandRuntime}. */
export interface CommandRuntimeOptions {
  objects: ObjectStore;
  /** Between SIGTERM and SIGKILL on timeout or cancel (ms, default 5,000). */
  killGraceMs?: number;
  /** Environment passed to commands (default: this process's). */
  env?: NodeJS.ProcessEnv;
}

interface Prepared {
  /** The command with project-relative file arguments made absolute. */
  argv: string[];
  codeHash: string;
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function onPath(program: string, env: NodeJS.ProcessEnv): Promise<boolean> {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    try {
      await access(join(dir, program), constants.X_OK);
      return true;
    } catch {
      // keep looking
    }
  }
  return false;
}

/** Creates the command runtime. */
export function createCommandRuntime(options: CommandRuntimeOptions): StepRuntime {
  const killGraceMs = options.killGraceMs ?? 5000;
  const baseEnv = options.env ?? process.env;
  const prepared = new Map<string, Promise<Prepared>>();

  async function prepareStep(step: StepSpec, pipelineDir: string): Promise<Prepared> {
    if (step.run.kind !== 'command')
      throw new SluiceError('INTERNAL', `step '${step.name}' is not a command step`);
    const [program, ...args] = step.run.command;
    if (program === undefined)
      throw new SluiceError('SPEC_PROGRAM_NOT_FOUND', `step '${step.name}': the command is empty`);
    const files: [string, string][] = [];
    const argv: string[] = [];
    for (const [index, arg] of [program, ...args].entries()) {
      const candidate = isAbsolute(arg) ? arg : resolve(pipelineDir, arg);
      const looksLikePath = /\.(py|sh|js|mjs|ts|rb|pl|R)$/.test(arg);
      if (!arg.startsWith('-') && (index > 0 || arg.includes('/')) && (await isFile(candidate))) {
        files.push([arg, sha256(await readFile(candidate))]);
        argv.push(candidate);
        continue;
      }
      if (index === 0 && arg.includes('/')) {
        throw new SluiceError(
          'SPEC_PROGRAM_NOT_FOUND',
          `step '${step.name}': program ${candidate} does not exist`,
        );
      }
      if (index === 0 && !(await onPath(arg, baseEnv))) {
        throw new SluiceError(
          'SPEC_PROGRAM_NOT_FOUND',
          `step '${step.name}': program '${arg}' is not on the PATH`,
        );
      }
      if (index > 0 && looksLikePath && !arg.startsWith('-') && !isAbsolute(arg)) {
        throw new SluiceError(
          'SPEC_PROGRAM_NOT_FOUND',
          `step '${step.name}': script ${candidate} does not exist`,
        );
      }
      argv.push(arg);
    }
    const codeHash = sha256(canonicalJson({ command: step.run.command, env: step.run.env, files }));
    return { argv, codeHash };
  }

  function prepareCached(step: StepSpec, pipelineDir: string): Promise<Prepared> {
    const key = `${pipelineDir}\0${canonicalJson(step.run)}`;
    let entry = prepared.get(key);
    if (!entry) {
      entry = prepareStep(step, pipelineDir);
      prepared.set(key, entry);
      entry.catch(() => prepared.delete(key));
    }
    return entry;
  }

  async function execute(task: StepTask): Promise<StepResult> {
    const { step } = task;
    if (step.run.kind !== 'command')
      throw new SluiceError('INTERNAL', `step '${step.name}' is not a command step`);
    if (task.signal.aborted) throw cancelledError(task);
    const { argv } = await prepareCached(step, task.pipelineDir);
    const work = join(task.scratchDir, 'work');
    const out = join(task.scratchDir, 'out');
    await mkdir(work, { recursive: true });
    await mkdir(out, { recursive: true });
    const inputs = await layoutInputs(options.objects, task.inputs, join(task.scratchDir, 'in'));
    const files = {
      inputs: join(task.scratchDir, 'inputs.json'),
      outputs: join(task.scratchDir, 'outputs.json'),
      metrics: join(task.scratchDir, 'metrics.jsonl'),
    };
    await writeFile(files.inputs, JSON.stringify(inputs));
    await writeFile(files.metrics, '');
    const tracked = await prepareTrackingDirs(task.scratchDir);
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      ...step.run.env,
      SLUICE_INPUTS: files.inputs,
      SLUICE_OUTPUTS: files.outputs,
      SLUICE_OUT: out,
      SLUICE_METRICS: files.metrics,
      SLUICE_RUN_ID: task.runId,
      SLUICE_STEP: step.name,
      SLUICE_DATUM: task.datum,
      SLUICE_ATTEMPT: String(task.attempt),
      SLUICE_PARAMS: JSON.stringify(task.params),
      ...tracked.env,
    };
    const [program, ...args] = argv;
    const stderrTail: string[] = [];
    await new Promise<void>((resolvePromise, reject) => {
      const child = spawn(program ?? '', args, {
        cwd: work,
        env,
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let killedFor: SluiceError | undefined;
      let timer: NodeJS.Timeout | undefined;
      let grace: NodeJS.Timeout | undefined;
      const signalGroup = (signal: NodeJS.Signals): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, signal);
        } catch {
          // already gone
        }
      };
      const kill = (error: SluiceError): void => {
        if (killedFor) return;
        killedFor = error;
        signalGroup('SIGTERM');
        grace = setTimeout(() => signalGroup('SIGKILL'), killGraceMs);
      };
      const onAbort = (): void => kill(cancelledError(task));
      task.signal.addEventListener('abort', onAbort, { once: true });
      if (step.timeoutMs !== undefined) {
        const ms = step.timeoutMs;
        timer = setTimeout(() => kill(timeoutError(task, ms)), ms);
      }
      const stdout = new LineSplitter((line) => task.log('stdout', line));
      const stderr = new LineSplitter((line) => {
        stderrTail.push(line);
        if (stderrTail.length > 20) stderrTail.shift();
        task.log('stderr', line);
      });
      child.stdout.on('data', (chunk: Buffer) => stdout.push(chunk));
      child.stderr.on('data', (chunk: Buffer) => stderr.push(chunk));
      child.on('error', (error) => {
        if (timer) clearTimeout(timer);
        task.signal.removeEventListener('abort', onAbort);
        reject(
          new SluiceError('STEP_FAILED', `step '${step.name}': cannot start ${program}: ${error.message}`, {
            cause: error,
          }),
        );
      });
      child.on('close', (code, signal) => {
        stdout.end();
        stderr.end();
        if (timer) clearTimeout(timer);
        task.signal.removeEventListener('abort', onAbort);
        if (killedFor) {
          // Make sure nothing of the group outlives the attempt.
          signalGroup('SIGKILL');
          if (grace) clearTimeout(grace);
          reject(killedFor);
        } else if (code === 0) {
          resolvePromise();
        } else if (code !== null) {
          const tail = stderrTail.slice(-5);
          reject(
            new SluiceError(
              'STEP_FAILED',
              `command exited with code ${code}${tail.length ? `: ${tail.join(' | ')}` : ''}`,
              {
                details: { exitCode: code, stderr: stderrTail },
              },
            ),
          );
        } else {
          reject(
            new SluiceError('STEP_CRASHED', `step '${step.name}': command was killed by ${signal}`, {
              details: { signal },
            }),
          );
        }
      });
    });
    await readMetrics(files.metrics, task);
    const outputs = await readOutputs(files.outputs, step);
    for (const output of step.outputs) {
      if (outputs[output.name] !== undefined) continue;
      const stored = await storeDirectory(options.objects, join(out, output.name));
      if (stored) outputs[output.name] = stored;
    }
    const checked = checkOutputs(step, outputs);
    await collectTrackingDirs(task, tracked.dirs);
    return { outputs: checked };
  }

  return {
    async prepare(step, pipelineDir) {
      return { codeHash: (await prepareCached(step, pipelineDir)).codeHash };
    },
    execute,
    async close() {
      prepared.clear();
    },
  };
}

async function readOutputs(path: string, step: StepSpec): Promise<Record<string, unknown>> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return {};
  }
  if (text.trim() === '') return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `step '${step.name}': $SLUICE_OUTPUTS (${path}) is not valid JSON: ${(error as Error).message}`,
    );
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SluiceError(
      'STEP_OUTPUT',
      `step '${step.name}': $SLUICE_OUTPUTS must hold a JSON object { "<output>": value }`,
    );
  }
  return parsed as Record<string, unknown>;
}

async function readMetrics(path: string, task: StepTask): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  for (const [index, line] of text.split('\n').entries()) {
    if (line.trim() === '') continue;
    try {
      const point = JSON.parse(line) as { key?: unknown; value?: unknown; step?: unknown };
      if (typeof point.key !== 'string' || typeof point.value !== 'number' || !Number.isFinite(point.value)) {
        throw new Error('expected {"key": string, "value": number, "step"?: number}');
      }
      task.metric({
        key: point.key,
        value: point.value,
        ...(typeof point.step === 'number' ? { step: point.step } : {}),
      });
    } catch (error) {
      task.log('stderr', `sluice: ignored $SLUICE_METRICS line ${index + 1}: ${(error as Error).message}`);
    }
  }
}
