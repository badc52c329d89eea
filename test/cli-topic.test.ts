/**
 * `sluice topic` end to end in the CLI: create, produce, list, consume with a group, lag,
 * replay with reset, read without a group, show, delete, and the exit codes of mistakes.
 */
import { describe, expect, it } from 'vitest';
import { sluice, tempProjects } from './helpers.js';

const project = tempProjects();

const lines = (text: string) =>
  text
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { seq: number; key: string | null; value: unknown });

describe('sluice topic', () => {
  it('creates a topic, produces, consumes with a group, shows lag, and replays', async () => {
    const dir = await project({});
    const created = await sluice(
      ['topic', 'create', 'events', '--max-deliveries', '3', '--ack-wait', '10s', '--json'],
      dir,
    );
    expect(created.code, created.stderr).toBe(0);
    expect(JSON.parse(created.stdout)).toMatchObject({
      name: 'events',
      config: { maxDeliveries: 3, ackWaitMs: 10_000, deadLetter: 'events.dlq' },
    });
    const produced = await sluice(
      ['topic', 'produce', 'events', '{"n":1}', '{"n":2}', '"three"', '--key', 'k', '--json'],
      dir,
    );
    expect(JSON.parse(produced.stdout)).toEqual({ seqs: [1, 2, 3] });
    expect((await sluice(['topic', 'list'], dir)).stdout).toMatch(/events\s+3\s+3\s+0\s+0/);

    const first = await sluice(['topic', 'consume', 'events', '--group', 'readers', '--max', '2'], dir);
    expect(first.code, first.stderr).toBe(0);
    expect(lines(first.stdout).map((line) => [line.seq, line.key, line.value])).toEqual([
      [1, 'k', { n: 1 }],
      [2, 'k', { n: 2 }],
    ]);
    const lag = await sluice(['topic', 'lag', 'events', '--json'], dir);
    expect(JSON.parse(lag.stdout)).toMatchObject([
      { name: 'readers', pending: 1, unacked: 0, lag: 1, ackFloor: 2 },
    ]);
    expect((await sluice(['topic', 'lag', 'events'], dir)).stdout).toMatch(/readers\s+1\s+0\s+1\s+2/);

    const rest = await sluice(
      ['topic', 'consume', 'events', '--group', 'readers', '--timeout', '300ms'],
      dir,
    );
    expect(lines(rest.stdout).map((line) => line.value)).toEqual(['three']);

    const reset = await sluice(['topic', 'reset', 'events', 'readers', '--to-seq', '2'], dir);
    expect(reset.stdout).toContain('now has 2 message(s) to take');
    const again = await sluice(
      ['topic', 'consume', 'events', '--group', 'readers', '--timeout', '300ms'],
      dir,
    );
    expect(lines(again.stdout).map((line) => line.seq)).toEqual([2, 3]);

    const read = await sluice(['topic', 'read', 'events', '--from-seq', '3'], dir);
    expect(lines(read.stdout).map((line) => line.value)).toEqual(['three']);
    expect((await sluice(['topic', 'show', 'events'], dir)).stdout).toContain(
      '3 deliveries, then events.dlq',
    );
    expect((await sluice(['topic', 'delete', 'events'], dir)).code).toBe(0);
    expect((await sluice(['topic', 'list'], dir)).stdout).toContain('no topics yet');
  });

  it('exits with the code of each mistake and says what is wrong', async () => {
    const dir = await project({});
    const missing = await sluice(['topic', 'produce', 'nothing', '1'], dir);
    expect(missing.code).toBe(5);
    expect(missing.stderr).toContain("topic 'nothing' does not exist");
    await sluice(['topic', 'create', 'events'], dir);
    const exists = await sluice(['topic', 'create', 'events'], dir);
    expect(exists.code).toBe(6);
    const bad = await sluice(['topic', 'produce', 'events', '{not json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('value 1 is not JSON');
    const duration = await sluice(['topic', 'create', 'other', '--ack-wait', 'soon'], dir);
    expect(duration.code).toBe(2);
    expect(duration.stderr).toContain('--ack-wait');
    const reset = await sluice(['topic', 'reset', 'events', 'nobody', '--earliest', '--latest'], dir);
    expect(reset.code).toBe(2);
    const group = await sluice(['topic', 'reset', 'events', 'nobody', '--earliest'], dir);
    expect(group.code).toBe(5);
    expect(group.stderr).toContain("no consumer group 'nobody'");
  });
});
