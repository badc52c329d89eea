import { execFileSync } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openLocalObjectStore } from '../../data/index.js';
import { describeRuntimeConformance, testStep } from '../runtime.case.js';
import { createCommandRuntime } from './command-runtime.js';

const PY = `import json, os
inputs = json.load(open(os.environ["SLUICE_INPUTS"]))
def out(values):
    json.dump(values, open(os.environ["SLUICE_OUTPUTS"], "w"))
`;

describeRuntimeConformance('command', (objects) => createCommandRuntime({ objects, killGraceMs: 200 }), {
  files: {
    'double.py': `${PY}out({"y": inputs["x"] * 2})\n`,
    'fail.sh': 'echo "page not found" >&2\nexit 4\n',
    'hang.sh': 'sleep 60 &\nwait\n',
    'files.sh':
      'mkdir -p "$SLUICE_OUT/report/sub"\nprintf "alpha\\n" > "$SLUICE_OUT/report/a.txt"\nprintf "beta\\n" > "$SLUICE_OUT/report/sub/b.txt"\n',
    'read-files.py': `${PY}d = inputs["report"]\nout({"content": open(d + "/a.txt").read() + open(d + "/sub/b.txt").read()})\n`,
    'log.sh':
      'echo one\necho two\necho "warning three" >&2\necho \'{"key": "loss", "value": 0.25, "step": 1}\' >> "$SLUICE_METRICS"\necho \'{"y": 1}\' > "$SLUICE_OUTPUTS"\n',
    'missing-output.sh': 'echo \'{"y": 1}\' > "$SLUICE_OUTPUTS"\n',
  },
  run: (name, dir) => {
    const file = ['double', 'read-files'].includes(name) ? `${name}.py` : `${name}.sh`;
    return { kind: 'command', command: [file.endsWith('.py') ? 'python3' : 'sh', join(dir, file)], env: {} };
  },
});

describe('command runtime', () => {
  it('kills the whole process group on timeout, grandchildren included', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'sluice-cmd-'));
    await writeFile(join(dir, 'spawn.sh'), 'sleep 300 &\necho $! > "$PIDFILE"\nwait\n');
    const runtime = createCommandRuntime({
      objects: openLocalObjectStore(join(dir, 'objects')),
      killGraceMs: 200,
    });
    const pidFile = join(dir, 'pid');
    await expect(
      runtime.execute({
        runId: 'r',
        step: testStep(
          'spawn',
          { kind: 'command', command: ['sh', join(dir, 'spawn.sh')], env: { PIDFILE: pidFile } },
          [],
          { timeoutMs: 500 },
        ),
        pipelineDir: dir,
        datum: '',
        attempt: 1,
        inputs: {},
        params: {},
        scratchDir: join(dir, 's'),
        log: () => undefined,
        metric: () => undefined,
        signal: new AbortController().signal,
      }),
    ).rejects.toMatchObject({ code: 'STEP_TIMEOUT' });
    const pid = Number((await readFile(pidFile, 'utf8')).trim());
    await new Promise((resolve) => setTimeout(resolve, 300));
    // NOTE: a zombie (state Z, not yet reaped by pid 1) has stopped running: it counts as gone.
    const state = execFileSync('sh', ['-c', `awk '{print $3}' /proc/${pid}/stat 2>/dev/null || echo gone`])
      .toString()
      .trim();
    expect(['gone', 'Z']).toContain(state);
  });
});
