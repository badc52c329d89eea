/**
 * A topic's messages: the newest first (held at the newest seq when opened, with a button
 * for those produced since), or forwards from a seq or a time; older or further pages load
 * on demand.
 */
import { useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { formatTime } from '../../lib/format';
import { useMessages, type BrowseFrom } from './data';
import { MessageList, type MessageColumn } from './MessageList';
import { previewValue } from './message-view';
import type { TopicMessage, TopicSummary } from './types';

/** The seq, time, key and size columns every message list starts with. */
export const BASE_COLUMNS: MessageColumn[] = [
  { id: 'seq', header: 'seq', width: '6rem', className: 'font-mono tabular-nums', cell: (m) => m.seq },
  {
    id: 'time',
    header: 'time',
    width: '11rem',
    className: 'tabular-nums text-muted',
    cell: (m) => formatTime(m.time),
  },
];

const COLUMNS: MessageColumn[] = [
  ...BASE_COLUMNS,
  {
    id: 'key',
    header: 'key',
    width: 'minmax(6rem, 1fr)',
    className: 'font-mono',
    cell: (m) => m.key ?? <span className="text-muted">—</span>,
  },
  {
    id: 'size',
    header: 'size',
    width: '5rem',
    className: 'text-right tabular-nums',
    cell: (m) => `${m.size} B`,
  },
  {
    id: 'value',
    header: 'value',
    width: 'minmax(12rem, 4fr)',
    cell: (m: TopicMessage) => (
      <span className={`font-mono text-xs ${m.encoding === 'base64' ? 'text-muted italic' : ''}`}>
        {previewValue(m)}
      </span>
    ),
  },
];

/** The messages tab: where to start, then the messages in a virtualised list. */
export function MessageBrowser({ topic }: { topic: TopicSummary }) {
  const [from, setFrom] = useState<BrowseFrom>({ newest: true });
  const [anchor, setAnchor] = useState(topic.lastSeq);
  const [mode, setMode] = useState<'newest' | 'seq' | 'time'>('newest');
  const [seqText, setSeqText] = useState('');
  const [timeText, setTimeText] = useState('');
  const [problem, setProblem] = useState<string | null>(null);
  const query = useMessages(topic.name, { firstSeq: topic.firstSeq, lastSeq: anchor }, from);
  const messages = query.data?.pages.flatMap((page) => page.messages) ?? [];
  const newer = 'newest' in from ? topic.lastSeq - anchor : 0;

  const apply = (event: FormEvent) => {
    event.preventDefault();
    setProblem(null);
    if (mode === 'newest') {
      setAnchor(topic.lastSeq);
      setFrom({ newest: true });
    } else if (mode === 'seq') {
      const seq = Number(seqText);
      if (!Number.isInteger(seq) || seq < 1) return setProblem('seq: expected a whole number from 1');
      setFrom({ seq });
    } else {
      const time = new Date(timeText);
      if (!timeText || Number.isNaN(time.getTime())) return setProblem('time: expected a date and time');
      setFrom({ time: time.toISOString() });
    }
  };

  return (
    <div className="space-y-3">
      <form className="flex flex-wrap items-end gap-3" onSubmit={apply} aria-label="Where to start">
        <label className="block">
          <span className="mb-1 block text-xs text-muted">Start</span>
          <select
            value={mode}
            onChange={(event) => setMode(event.target.value as typeof mode)}
            className="rounded-md border border-line bg-page px-2 py-1.5"
          >
            <option value="newest">Newest first</option>
            <option value="seq">From a seq</option>
            <option value="time">From a time</option>
          </select>
        </label>
        {mode === 'seq' && (
          <label className="block">
            <span className="mb-1 block text-xs text-muted">Seq</span>
            <input
              inputMode="numeric"
              value={seqText}
              onChange={(event) => setSeqText(event.target.value.trim())}
              placeholder={String(topic.firstSeq || 1)}
              className="w-28 rounded-md border border-line bg-page px-2 py-1.5 font-mono"
            />
          </label>
        )}
        {mode === 'time' && (
          <label className="block">
            <span className="mb-1 block text-xs text-muted">Time</span>
            <input
              type="datetime-local"
              step={1}
              value={timeText}
              onChange={(event) => setTimeText(event.target.value)}
              className="rounded-md border border-line bg-page px-2 py-1.5"
            />
          </label>
        )}
        <Button type="submit">Show</Button>
        {newer > 0 && (
          <Button variant="ghost" onClick={() => setAnchor(topic.lastSeq)}>
            {newer.toLocaleString('en-US')} newer {newer === 1 ? 'message' : 'messages'} — show
          </Button>
        )}
        {problem && <p className="text-xs text-bad">{problem}</p>}
      </form>
      {query.isPending ? (
        <Loading label="Loading messages…" />
      ) : query.isError ? (
        <ErrorView error={query.error} title="Could not read the messages" />
      ) : messages.length === 0 ? (
        <EmptyState title={'newest' in from ? 'No messages retained' : 'No messages from there'}>
          {'newest' in from
            ? 'Messages produced to this topic show here, newest first.'
            : 'Nothing retained at or after that point.'}
        </EmptyState>
      ) : (
        <MessageList
          key={JSON.stringify(from)}
          label={`Messages of ${topic.name}`}
          messages={messages}
          columns={COLUMNS}
          footer={
            query.hasNextPage ? (
              <Button
                variant="ghost"
                disabled={query.isFetchingNextPage}
                onClick={() => void query.fetchNextPage()}
              >
                {query.isFetchingNextPage ? 'Loading…' : 'newest' in from ? 'Load older' : 'Load more'}
              </Button>
            ) : (
              <span className="text-xs text-muted">
                {messages.length.toLocaleString('en-US')} {messages.length === 1 ? 'message' : 'messages'}
              </span>
            )
          }
        />
      )}
    </div>
  );
}
