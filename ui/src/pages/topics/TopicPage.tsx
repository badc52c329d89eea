/**
 * `/topics/:name`: a topic's config, its rates over the sampled hour, and tabs for its
 * consumer groups (with replay), its messages and its dead letters.
 */
import { Link, useParams } from 'react-router';
import { Facts, PageHeader, Panel } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { UrlTabs } from '../../components/Tabs';
import { formatAgo, formatBytes, formatTime } from '../../lib/format';
import { DeadLetters } from './DeadLetters';
import { totalLag, useTopic } from './data';
import { GroupsTable } from './GroupsTable';
import { MessageBrowser } from './MessageBrowser';
import { describeRetention, formatSpan } from './message-view';
import { RateChart } from './RateChart';
import type { TopicSummary } from './types';

const CRUMBS = [{ label: 'Topics', to: '/topics' }];

/** The page of the topic named in the URL. */
export function TopicPage() {
  const name = useParams().name!;
  const query = useTopic(name);
  if (query.isPending) return <Loading />;
  if (query.isError) {
    return (
      <div>
        <PageHeader title={<span className="font-mono">{name}</span>} crumbs={CRUMBS} />
        <ErrorView error={query.error} title="Could not load the topic" />
      </div>
    );
  }
  const topic = query.data;
  return (
    <div className="space-y-4">
      <PageHeader title={<span className="font-mono">{topic.name}</span>} crumbs={CRUMBS}>
        {topic.messages.toLocaleString('en-US')} {topic.messages === 1 ? 'message' : 'messages'} ·{' '}
        {formatBytes(topic.bytes)} · seq {topic.firstSeq}–{topic.lastSeq} · last produced{' '}
        {topic.lastProducedAt ? formatAgo(topic.lastProducedAt) : 'never'}
      </PageHeader>
      <div className="grid items-start gap-4 lg:grid-cols-[minmax(18rem,1fr)_2fr]">
        <Panel title="Config">
          <ConfigFacts topic={topic} />
        </Panel>
        <Panel title="Rates (last hour)">
          <RateChart rates={topic.rates} />
        </Panel>
      </div>
      <UrlTabs
        tabs={[
          {
            id: 'groups',
            label: (
              <>
                Consumer groups <Count value={topic.groups.length} alert={totalLag(topic) > 0} />
              </>
            ),
            content: <GroupsTable topic={topic} />,
          },
          { id: 'messages', label: 'Messages', content: <MessageBrowser topic={topic} /> },
          { id: 'dead-letters', label: 'Dead letters', content: <DeadLetters topic={topic} /> },
        ]}
      />
    </div>
  );
}

function Count({ value, alert }: { value: number; alert: boolean }) {
  return (
    <span
      className={`ml-1 rounded-full px-1.5 text-xs ${alert ? 'bg-warn/15 text-warn' : 'bg-sunken text-muted'}`}
    >
      {value}
    </span>
  );
}

function ConfigFacts({ topic }: { topic: TopicSummary }) {
  const { config } = topic;
  return (
    <Facts
      items={[
        ['Retention', describeRetention(config.maxAgeMs, config.maxBytes)],
        ['Max deliveries', config.maxDeliveries],
        ['Ack wait', formatSpan(config.ackWaitMs)],
        [
          'Dead letters to',
          config.deadLetter === null ? (
            <span className="text-muted">dropped</span>
          ) : (
            <Link
              className="font-mono text-accent hover:underline"
              to={`/topics/${encodeURIComponent(config.deadLetter)}`}
            >
              {config.deadLetter}
            </Link>
          ),
        ],
        ['Created', formatTime(topic.createdAt)],
      ]}
    />
  );
}
