/**
 * A virtualised log view: only the lines in view are in the DOM. It sticks to the bottom
 * while the user is there (new lines scroll in) and stops when they scroll up.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowDown } from 'lucide-react';
import { useEffect, useRef, useState } from 'react';
import type { LogLine } from '../../api/types';
import { Button } from '../../components/Button';

const ROW = 20;

const STREAM_TONE: Record<LogLine['stream'], string> = {
  stdout: 'text-fg',
  log: 'text-fg',
  stderr: 'text-bad',
  engine: 'text-info',
};

function clock(iso: string): string {
  const date = new Date(iso);
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  return `${pad(date.getHours())}:${pad(date.getMinutes())}:${pad(date.getSeconds())}.${pad(date.getMilliseconds(), 3)}`;
}

/** Lines `lines` (already filtered); `following` shows the live indicator. */
export function LogViewer({
  lines,
  following,
  showSource = true,
  height = '60vh',
}: {
  lines: readonly LogLine[];
  following: boolean;
  showSource?: boolean;
  height?: string;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const [pinned, setPinned] = useState(true);
  const virtual = useVirtualizer({
    count: lines.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 30,
  });
  useEffect(() => {
    if (pinned && lines.length > 0) virtual.scrollToIndex(lines.length - 1, { align: 'end' });
  }, [lines.length, pinned, virtual]);
  const onScroll = () => {
    const element = scroller.current;
    if (!element) return;
    setPinned(element.scrollHeight - element.scrollTop - element.clientHeight < ROW * 1.5);
  };
  return (
    <div className="relative">
      <div
        className="absolute -top-9 right-0 flex h-7 items-center justify-end gap-2 text-xs"
        aria-live="polite"
      >
        {following &&
          (pinned ? (
            <span className="inline-flex items-center gap-1.5 text-info" data-testid="following">
              <span className="size-2 animate-pulse rounded-full bg-info" aria-hidden /> following
            </span>
          ) : (
            <>
              <span className="text-muted">paused (scrolled up)</span>
              <Button className="!px-2 !py-0.5 text-xs" onClick={() => setPinned(true)}>
                <ArrowDown className="size-3" aria-hidden /> Follow
              </Button>
            </>
          ))}
      </div>
      <div
        ref={scroller}
        onScroll={onScroll}
        role="log"
        aria-label="Log lines"
        tabIndex={0}
        className="overflow-auto rounded-lg border border-line bg-sunken font-mono text-xs"
        style={{ height }}
      >
        {lines.length === 0 ? (
          <p className="p-4 font-sans text-sm text-muted">
            {following ? 'Waiting for log lines…' : 'No log lines.'}
          </p>
        ) : (
          <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
            {virtual.getVirtualItems().map((item) => {
              const line = lines[item.index]!;
              return (
                <div
                  key={line.seq}
                  data-testid="log-line"
                  data-stream={line.stream}
                  className={`absolute left-0 flex w-max min-w-full gap-3 px-3 leading-5 whitespace-pre ${STREAM_TONE[line.stream]} ${line.stream === 'stderr' ? 'bg-bad/5' : ''}`}
                  style={{ height: ROW, transform: `translateY(${item.start}px)` }}
                >
                  <span className="text-muted select-none">{clock(line.time)}</span>
                  {showSource && (
                    <span
                      className="w-44 shrink-0 truncate text-muted"
                      title={`${line.step} ${line.datum} attempt ${line.attempt}`}
                    >
                      {line.step}
                      {line.datum ? ` ${line.datum}` : ''}
                    </span>
                  )}
                  <span>{line.line}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}
