import { it } from 'vitest';
import { validatePipelineText, formatReport } from './index.js';
const cases: Record<string, string> = {
  unknown: `name: p
steps:
  train:
    run: ./t.ts
    gpus: 2
    parallelism: four
    retries: -1
    timeout: 3x
    outputs: [a]
  other:
    run: { module: ./x.ts, bogus: 1 }
    outputs: [b]
  cmd:
    run: { command: [python3, x.py], env: { A: 1 } }
    outputs: [c]
  nothing:
    inputs: [a]
triggers:
  - commit: x
  - cron: 1
  - foo: bar
params:
  p: { type: float }
inputs:
  d: { glob: x }
`,
  graph: `name: p
params: { language_x: {} }
inputs: { frames: { repo: r } , other: { repo: r2 } }
steps:
  a: { run: ./a.ts, inputs: [c_out], outputs: [a_out] }
  b: { run: ./a.ts, inputs: [a_out], outputs: [b_out] }
  c: { run: ./a.ts, inputs: [b_out], outputs: [c_out] }
  classify: { run: ./a.ts, inputs: [language], outputs: [cls] }
  d: { run: ./a.ts, inputs: [cls], outputs: [final] }
  mix: { run: ./a.ts, inputs: [frames, other], outputs: [m] }
  g: { run: ./a.ts, inputs: ["language_x[]"], outputs: [g] }
  sc: { run: ./a.ts, inputs: [frames], outputs: ["s[]"] }
  dup: { run: ./a.ts, outputs: [g] }
outputs: [final, c_out, nope, m, g, s]
`,
  badname: `name: Bad Name
steps: {}
`,
  notmap: `- a`,
  multi: `name: a\n---\nname: b\n`,
  malformed: `name: a\nsteps: [\n`,
  dup: `name: a\nsteps:\n  x: { run: ./a.ts }\n  x: { run: ./b.ts }\nname: b\n`,
};
it('explore', () => {
  for (const [k, t] of Object.entries(cases)) {
    console.log('==', k);
    console.log(
      formatReport(validatePipelineText(t, `/tmp/sx/${k}.yaml`, { checkFiles: k !== 'unknown' }), {
        json: false,
      }),
    );
  }
});
