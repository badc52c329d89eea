/**
 * A virtualised list of messages: one row per message (the columns a caller picks), and a
 * click, Enter or Space on a row expands its headers and full value in place.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, useState, type ReactNode } from 'react';
import { fullValue } from './message-view';
import type { TopicMessage } from './types';

/** A column of the list: its header, CSS grid track and cell. */
export interface MessageColumn {
  id: string;
  header: string;
  width: string;
  cell: (message: TopicMessage) => ReactNode;
  className?: string;
}

const ROW_HEIGHT = 34;

/** A virtualised, expandable list of `messages` with `columns`; `footer` goes under the rows. */
export function MessageList({
  messages,
  columns,
  label,
  footer,
}: {
  messages: readonly TopicMessage[];
  columns: MessageColumn[];
  label: string;
  footer?: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [open, setOpen] = useState<ReadonlySet<number>>(new Set());
  const virtual = useVirtualizer({
    count: messages.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    getItemKey: (index) => messages[index]!.seq,
    overscan: 10,
  });
  const template = columns.map((column) => column.width).join(' ');
  const toggle = (seq: number) =>
    setOpen((prev) => {
      const next = new Set(prev);
      if (next.has(seq)) next.delete(seq);
      else next.add(seq);
      return next;
    });
  return (
    <div
      ref={scroller}
      role="table"
      aria-label={label}
      aria-rowcount={messages.length + 1}
      className="overflow-auto rounded-lg border border-line bg-panel"
      style={{ maxHeight: '65vh' }}
    >
      <div
        role="row"
        className="sticky top-0 z-10 grid border-b border-line bg-sunken text-xs font-semibold tracking-wide text-muted uppercase"
        style={{ gridTemplateColumns: template }}
      >
        {columns.map((column) => (
          <div role="columnheader" key={column.id} className="truncate px-3 py-2">
            {column.header}
          </div>
        ))}
      </div>
      <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
        {virtual.getVirtualItems().map((item) => {
          const message = messages[item.index]!;
          const expanded = open.has(message.seq);
          return (
            <div
              key={item.key}
              ref={virtual.measureElement}
              data-index={item.index}
              className="absolute inset-x-0 border-b border-line/60"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <div
                role="row"
                aria-rowindex={item.index + 2}
                aria-expanded={expanded}
                tabIndex={0}
                data-testid="message-row"
                data-seq={message.seq}
                onClick={() => toggle(message.seq)}
                onKeyDown={(event) => {
                  if (event.key === 'Enter' || event.key === ' ') {
                    event.preventDefault();
                    toggle(message.seq);
                  }
                }}
                className={`grid cursor-pointer items-center hover:bg-sunken focus-visible:bg-sunken ${expanded ? 'bg-sunken/60' : ''}`}
                style={{ gridTemplateColumns: template, minHeight: ROW_HEIGHT }}
              >
                {columns.map((column) => (
                  <div
                    role="cell"
                    key={column.id}
                    className={`min-w-0 truncate px-3 ${column.className ?? ''}`}
                  >
                    {column.cell(message)}
                  </div>
                ))}
              </div>
              {expanded && <MessageDetail message={message} />}
            </div>
          );
        })}
      </div>
      {footer && <div className="border-t border-line p-2 text-center">{footer}</div>}
    </div>
  );
}

/** A message's headers and full value, under its row. */
function MessageDetail({ message }: { message: TopicMessage }) {
  const headers = Object.entries(message.headers).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div
      className="grid gap-3 bg-sunken/40 px-4 py-3 md:grid-cols-[minmax(14rem,1fr)_2fr]"
      data-testid="message-detail"
    >
      <div className="min-w-0">
        <h3 className="mb-1 text-xs font-semibold tracking-wide text-muted uppercase">Headers</h3>
        {headers.length === 0 ? (
          <p className="text-muted">none</p>
        ) : (
          <dl className="grid grid-cols-[max-content_1fr] gap-x-3 gap-y-0.5 font-mono text-xs">
            {headers.map(([key, value]) => (
              <div key={key} className="contents">
                <dt className="text-muted">{key}</dt>
                <dd className="min-w-0 break-all">{value}</dd>
              </div>
            ))}
          </dl>
        )}
      </div>
      <div className="min-w-0">
        <h3 className="mb-1 text-xs font-semibold tracking-wide text-muted uppercase">
          Value <span className="font-normal normal-case">({message.encoding})</span>
        </h3>
        <pre className="max-h-80 overflow-auto rounded border border-line bg-panel p-2 font-mono text-xs break-all whitespace-pre-wrap">
          {fullValue(message)}
        </pre>
      </div>
    </div>
  );
}
