/**
 * The "Dead letters" tab: the messages of a topic's dead-letter topic, newest first, with
 * why each was dead-lettered, its seq in the source topic, the group and its deliveries
 * (from the `sluice-dead-letter-*` headers).
 */
import { Link } from 'react-router';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { Button } from '../../components/Button';
import { useMessages, useTopic, useTopics } from './data';
import { BASE_COLUMNS } from './MessageBrowser';
import { MessageList, type MessageColumn } from './MessageList';
import { previewValue } from './message-view';
import type { TopicSummary } from './types';

const header = (name: string) => `sluice-dead-letter-${name}`;

const COLUMNS: MessageColumn[] = [
  ...BASE_COLUMNS,
  {
    id: 'reason',
    header: 'reason',
    width: 'minmax(10rem, 2fr)',
    className: 'text-bad',
    cell: (m) => m.headers[header('reason')] ?? '—',
  },
  {
    id: 'source',
    header: 'source seq',
    width: '8rem',
    className: 'font-mono tabular-nums',
    cell: (m) => m.headers[header('seq')] ?? '—',
  },
  {
    id: 'group',
    header: 'group',
    width: 'minmax(6rem, 1fr)',
    className: 'font-mono',
    cell: (m) => m.headers[header('group')] ?? '—',
  },
  {
    id: 'deliveries',
    header: 'deliveries',
    width: '7.5rem',
    className: 'text-right tabular-nums',
    cell: (m) => m.headers[header('deliveries')] ?? '—',
  },
  {
    id: 'value',
    header: 'value',
    width: 'minmax(10rem, 2fr)',
    cell: (m) => <span className="font-mono text-xs">{previewValue(m)}</span>,
  },
];

/** The dead-letter topic of `topic`, newest first, or why there is nothing to show. */
export function DeadLetters({ topic }: { topic: TopicSummary }) {
  const name = topic.config.deadLetter;
  // NOTE: the list says whether the dead-letter topic exists yet, so the page does not
  // poll a topic that is not there.
  const all = useTopics();
  const exists = all.data?.some((item) => item.name === name) ?? false;
  const dlq = useTopic(exists ? name : null);
  const missing = all.isSuccess && !exists;
  const query = useMessages(name ?? '', dlq.data, { newest: true });
  if (name === null) {
    return (
      <EmptyState title="No dead-letter topic">
        Messages that run out of deliveries are dropped. To keep them, set the topic&apos;s{' '}
        <code className="font-mono">deadLetter</code> to a topic name.
      </EmptyState>
    );
  }
  if (missing) {
    return (
      <EmptyState title="No dead letters">
        Messages that fail {topic.config.maxDeliveries} deliveries go to{' '}
        <span className="font-mono">{name}</span>, which has none yet.
      </EmptyState>
    );
  }
  if (all.isError) return <ErrorView error={all.error} title="Could not list the topics" />;
  if (dlq.isError) return <ErrorView error={dlq.error} title={`Could not read ${name}`} />;
  if (!dlq.data || query.isPending) return <Loading label="Loading dead letters…" />;
  if (query.isError) return <ErrorView error={query.error} title={`Could not read ${name}`} />;
  const messages = query.data?.pages.flatMap((page) => page.messages) ?? [];
  return (
    <div className="space-y-2">
      <p className="text-muted">
        {dlq.data.messages.toLocaleString('en-US')} in{' '}
        <Link className="font-mono text-accent hover:underline" to={`/topics/${encodeURIComponent(name)}`}>
          {name}
        </Link>
        , newest first. Click a message for its headers and value.
      </p>
      {messages.length === 0 ? (
        <EmptyState title="No dead letters">
          Messages that fail {topic.config.maxDeliveries} deliveries show here.
        </EmptyState>
      ) : (
        <MessageList
          label={`Dead letters of ${topic.name}`}
          messages={messages}
          columns={COLUMNS}
          footer={
            query.hasNextPage ? (
              <Button
                variant="ghost"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                Load older
              </Button>
            ) : undefined
          }
        />
      )}
    </div>
  );
}
