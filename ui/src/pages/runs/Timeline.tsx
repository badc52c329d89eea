/**
 * The Timeline tab: a Gantt chart of a run's steps (first start to last finish), each
 * expandable to its datums with a segment per attempt. Rows are virtualised, so a step of
 * 10,000 datums draws only the rows in view.
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { ChevronDown, ChevronRight } from 'lucide-react';
import { useEffect, useMemo, useRef, useState } from 'react';
import { Link } from 'react-router';
import type { RunDetail } from '../../api/types';
import { EmptyState } from '../../components/States';
import { formatDuration } from '../../lib/format';
import { useNow } from './run-queries';
import { datumHref, stateColor } from './run-state';
import { indexRun, timelineRows, type Segment, type TimelineRow } from './timeline-model';

const ROW = 28;
const LABEL = '16rem';

function ticks(span: number): number[] {
  const steps = [
    100, 250, 500, 1000, 2000, 5000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 1_800_000,
    3_600_000, 7_200_000,
  ];
  const step = steps.find((candidate) => span / candidate <= 8) ?? span / 8;
  const out: number[] = [];
  for (let at = 0; at <= span; at += step) out.push(at);
  return out;
}

function Bar({ segment, t0, span, now }: { segment: Segment; t0: number; span: number; now: number }) {
  const end = segment.end ?? now;
  const left = ((segment.start - t0) / span) * 100;
  const width = Math.max(((end - segment.start) / span) * 100, 0.4);
  const title = `${segment.title} · ${formatDuration(end - segment.start)}${segment.end === null ? ' so far' : ''}`;
  return (
    <span
      title={title}
      data-state={segment.state}
      className={`absolute top-1.5 bottom-1.5 rounded-sm ${segment.end === null ? 'animate-pulse' : ''}`}
      style={{ left: `${left}%`, width: `${width}%`, background: stateColor(segment.state) }}
    />
  );
}

function RowLabel({
  row,
  runId,
  open,
  onToggle,
}: {
  row: TimelineRow;
  runId: string;
  open: boolean;
  onToggle: () => void;
}) {
  if (row.kind === 'step')
    return (
      <button
        type="button"
        onClick={onToggle}
        aria-expanded={open}
        className="flex w-full min-w-0 items-center gap-1 text-left font-mono hover:text-accent"
      >
        {open ? (
          <ChevronDown className="size-4 shrink-0" aria-hidden />
        ) : (
          <ChevronRight className="size-4 shrink-0" aria-hidden />
        )}
        <span className="truncate">{row.step}</span>
        <span className="ml-auto shrink-0 pr-2 text-xs text-muted">{row.datums}</span>
      </button>
    );
  return (
    <Link
      to={datumHref(runId, row.step, row.datum)}
      className="block truncate pl-6 font-mono text-xs text-muted hover:text-accent hover:underline"
      title={row.datum || '(single datum)'}
    >
      {row.datum || '(single datum)'}
    </Link>
  );
}

/** The Timeline tab of a run; `selected` (the `?step=` of the URL) starts expanded. */
export function Timeline({ detail, selected }: { detail: RunDetail; selected: string }) {
  const index = useMemo(() => indexRun(detail), [detail]);
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(() => new Set(selected ? [selected] : []));
  useEffect(() => {
    if (selected)
      setExpanded((previous) => (previous.has(selected) ? previous : new Set([...previous, selected])));
  }, [selected]);
  const rows = useMemo(() => timelineRows(index, expanded), [index, expanded]);
  const now = useNow(index.running);
  const scroller = useRef<HTMLDivElement>(null);
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW,
    overscan: 16,
  });
  if (index.start === null)
    return (
      <EmptyState title="Nothing has started yet">
        Steps appear here as soon as their first datum starts.
      </EmptyState>
    );
  const t0 = index.start;
  const span = Math.max((index.running ? Math.max(now, index.end ?? 0) : (index.end ?? now)) - t0, 1);
  const toggle = (step: string) =>
    setExpanded((previous) => {
      const next = new Set(previous);
      if (next.has(step)) next.delete(step);
      else next.add(step);
      return next;
    });
  return (
    <div className="rounded-lg border border-line bg-panel" data-testid="timeline">
      <div
        className="grid border-b border-line bg-sunken text-xs text-muted"
        style={{ gridTemplateColumns: `${LABEL} 1fr` }}
      >
        <div className="px-3 py-2 font-semibold uppercase">Step / datum</div>
        <div className="relative mr-4 h-8" aria-hidden>
          {ticks(span).map((at) => (
            <span
              key={at}
              className="absolute top-2 -translate-x-1/2 tabular-nums"
              style={{ left: `${(at / span) * 100}%` }}
            >
              +{formatDuration(at)}
            </span>
          ))}
        </div>
      </div>
      <div
        ref={scroller}
        className="overflow-auto"
        style={{ maxHeight: '65vh' }}
        role="list"
        aria-label="Steps and datums over time"
      >
        <div style={{ height: virtual.getTotalSize(), position: 'relative' }}>
          {virtual.getVirtualItems().map((item) => {
            const row = rows[item.index]!;
            const key = row.kind === 'step' ? `s:${row.step}` : `d:${row.step}\0${row.datum}`;
            return (
              <div
                key={key}
                role="listitem"
                data-row={row.kind}
                className={`absolute inset-x-0 grid items-center border-b border-line/50 ${row.kind === 'step' && row.step === selected ? 'bg-accent/10' : ''}`}
                style={{
                  gridTemplateColumns: `${LABEL} 1fr`,
                  height: ROW,
                  transform: `translateY(${item.start}px)`,
                }}
              >
                <div className="min-w-0 px-3">
                  <RowLabel
                    row={row}
                    runId={detail.run.id}
                    open={expanded.has(row.step)}
                    onToggle={() => toggle(row.step)}
                  />
                </div>
                <div className="relative mr-4 h-full">
                  {row.segments.length === 0 ? (
                    <span className="absolute top-1.5 text-xs text-muted">{row.state}</span>
                  ) : (
                    row.segments.map((segment, at) => (
                      <Bar key={at} segment={segment} t0={t0} span={span} now={now} />
                    ))
                  )}
                </div>
              </div>
            );
          })}
        </div>
      </div>
    </div>
  );
}
