/**
 * `/topics`: every topic with its size, last produce, produce rate, groups, lag and dead
 * letters; refreshed every few seconds while the page is visible.
 */
import { PageHeader } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable } from '../../components/VirtualTable';
import { formatAgo, formatBytes } from '../../lib/format';
import { latestRate, totalLag, useTopics } from './data';
import { formatRate } from './message-view';
import { Sparkline } from './Sparkline';
import type { TopicSummary } from './types';

/** Messages in each topic's dead-letter topic, when that topic exists. */
function deadLetterCounts(topics: readonly TopicSummary[]): Map<string, number> {
  const sizes = new Map(topics.map((topic) => [topic.name, topic.messages]));
  const counts = new Map<string, number>();
  for (const topic of topics) {
    const count = topic.config.deadLetter === null ? undefined : sizes.get(topic.config.deadLetter);
    if (count !== undefined) counts.set(topic.name, count);
  }
  return counts;
}

/** The topics table, or its loading, error or empty state. */
export function TopicsIndex() {
  const query = useTopics();
  const deadLetters = deadLetterCounts(query.data ?? []);
  return (
    <div>
      <PageHeader title="Topics">
        Streams of messages with consumer groups: what each holds, how fast it fills, and how far its
        consumers are behind.
      </PageHeader>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorView error={query.error} title="Could not list the topics" />
      ) : (
        <VirtualTable
          label="Topics"
          rows={query.data}
          rowKey={(topic) => topic.name}
          rowHref={(topic) => `/topics/${encodeURIComponent(topic.name)}`}
          rowHeight={40}
          empty={
            <EmptyState title="No topics yet">
              <p>Create one, then produce to it from a step or over the API:</p>
              <Command>sluice topic create NAME</Command>
            </EmptyState>
          }
          columns={[
            {
              id: 'name',
              header: 'topic',
              width: 'minmax(12rem, 2fr)',
              cell: (topic) => <span className="font-mono font-semibold text-accent">{topic.name}</span>,
            },
            {
              id: 'messages',
              header: 'messages',
              width: '7rem',
              className: 'text-right tabular-nums',
              cell: (topic) => topic.messages.toLocaleString('en-US'),
            },
            {
              id: 'size',
              header: 'size',
              width: '6rem',
              className: 'text-right tabular-nums',
              cell: (topic) => formatBytes(topic.bytes),
            },
            {
              id: 'produced',
              header: 'last produced',
              width: '9.5rem',
              cell: (topic) => (
                <span className="text-muted" title={topic.lastProducedAt ?? 'never'}>
                  {topic.lastProducedAt ? formatAgo(topic.lastProducedAt) : 'never'}
                </span>
              ),
            },
            {
              id: 'rate',
              header: 'produce rate',
              width: '11rem',
              cell: (topic) => (
                <span className="flex items-center gap-2">
                  <span className="w-16 text-right tabular-nums" data-testid="produce-rate">
                    {formatRate(latestRate(topic))}/s
                  </span>
                  <Sparkline
                    values={topic.rates.map((sample) => sample.produced)}
                    label={`${topic.name} produce rate over the last hour`}
                  />
                </span>
              ),
            },
            {
              id: 'groups',
              header: 'groups',
              width: '6rem',
              className: 'text-right tabular-nums',
              cell: (topic) => topic.groups.length,
            },
            {
              id: 'lag',
              header: 'lag',
              width: '6rem',
              className: 'text-right tabular-nums',
              cell: (topic) => {
                const lag = totalLag(topic);
                return (
                  <span
                    data-testid="lag"
                    className={
                      lag > 0 ? 'rounded bg-warn/15 px-1.5 py-0.5 font-semibold text-warn' : 'text-muted'
                    }
                  >
                    {lag.toLocaleString('en-US')}
                  </span>
                );
              },
            },
            {
              id: 'dead',
              header: 'dead letters',
              width: '8.5rem',
              className: 'text-right tabular-nums',
              cell: (topic) => {
                const count = deadLetters.get(topic.name);
                if (count === undefined) return <span className="text-muted">—</span>;
                return (
                  <span
                    data-testid="dead-letters"
                    className={count > 0 ? 'font-semibold text-bad' : 'text-muted'}
                  >
                    {count.toLocaleString('en-US')}
                  </span>
                );
              },
            },
          ]}
        />
      )}
    </div>
  );
}
