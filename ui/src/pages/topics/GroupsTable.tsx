/** A topic's consumer groups with their counters, and "Replay…" to move one. */
import { useState } from 'react';
import { Button } from '../../components/Button';
import { EmptyState } from '../../components/States';
import { ReplayDialog } from './ReplayDialog';
import type { GroupInfo, TopicSummary } from './types';

const COUNTERS: { key: keyof GroupInfo; label: string; title: string }[] = [
  { key: 'pending', label: 'pending', title: 'not yet delivered' },
  { key: 'unacked', label: 'unacked', title: 'delivered, waiting for an ack' },
  { key: 'lag', label: 'lag', title: 'pending + unacked' },
  { key: 'ackFloor', label: 'ack floor', title: 'every seq at or below is acked' },
  { key: 'delivered', label: 'delivered', title: 'the highest seq delivered' },
  { key: 'redelivered', label: 'redelivered', title: 'deliveries beyond each message’s first' },
  { key: 'deadLettered', label: 'dead-lettered', title: 'moved to the dead-letter topic' },
];

/** The groups of `topic` as a table, each with a "Replay…" button. */
export function GroupsTable({ topic }: { topic: TopicSummary }) {
  const [replaying, setReplaying] = useState<string | null>(null);
  if (topic.groups.length === 0) {
    return (
      <EmptyState title="No consumer groups yet">
        A group appears when a consumer first reads with it, e.g.{' '}
        <code className="font-mono">topics.consumer(&apos;{topic.name}&apos;, &apos;my-group&apos;)</code>.
      </EmptyState>
    );
  }
  return (
    <div className="overflow-x-auto rounded-lg border border-line bg-panel">
      <table className="w-full text-left" aria-label="Consumer groups">
        <thead className="bg-sunken text-xs font-semibold tracking-wide text-muted uppercase">
          <tr>
            <th scope="col" className="px-3 py-2">
              group
            </th>
            {COUNTERS.map((counter) => (
              <th key={counter.key} scope="col" className="px-3 py-2 text-right" title={counter.title}>
                {counter.label}
              </th>
            ))}
            <th scope="col" className="px-3 py-2">
              <span className="sr-only">actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {topic.groups.map((group) => (
            <tr key={group.name} className="border-t border-line/60" data-testid="group-row">
              <th scope="row" className="px-3 py-2 font-mono font-semibold">
                {group.name}
              </th>
              {COUNTERS.map((counter) => {
                const value = group[counter.key] as number;
                const alert =
                  (counter.key === 'lag' && value > 0 && 'text-warn font-semibold') ||
                  (counter.key === 'deadLettered' && value > 0 && 'text-bad font-semibold') ||
                  '';
                return (
                  <td
                    key={counter.key}
                    className={`px-3 py-2 text-right tabular-nums ${alert}`}
                    data-counter={counter.key}
                  >
                    {value.toLocaleString('en-US')}
                  </td>
                );
              })}
              <td className="px-3 py-1 text-right">
                <Button
                  variant="ghost"
                  onClick={() => setReplaying(group.name)}
                  aria-label={`Replay group ${group.name}`}
                >
                  Replay…
                </Button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <ReplayDialog
        topic={topic}
        group={replaying}
        onOpenChange={(open) => {
          if (!open) setReplaying(null);
        }}
      />
    </div>
  );
}
