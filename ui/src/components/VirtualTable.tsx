/**
 * A table that renders only the rows in view, so 10,000 datums or 100,000 log lines scroll
 * smoothly. Columns set their width as a CSS grid track (`'8rem'`, `'1fr'`). Rows with an
 * `href` are links (Enter opens them; Tab moves between them).
 */
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef, type ReactNode } from 'react';
import { useNavigate } from 'react-router';

export interface Column<T> {
  id: string;
  header: ReactNode;
  width: string;
  cell: (row: T) => ReactNode;
  className?: string;
}

export function VirtualTable<T>({
  rows,
  columns,
  rowKey,
  rowHref,
  rowHeight = 36,
  maxHeight = '70vh',
  label,
  empty,
}: {
  rows: readonly T[];
  columns: Column<T>[];
  rowKey: (row: T) => string;
  rowHref?: (row: T) => string | undefined;
  rowHeight?: number;
  maxHeight?: string;
  label: string;
  empty?: ReactNode;
}) {
  const scroller = useRef<HTMLDivElement>(null);
  const navigate = useNavigate();
  const virtual = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => rowHeight,
    overscan: 12,
  });
  const template = columns.map((column) => column.width).join(' ');
  if (rows.length === 0 && empty) return <>{empty}</>;
  return (
    <div
      ref={scroller}
      role="table"
      aria-label={label}
      aria-rowcount={rows.length + 1}
      className="overflow-auto rounded-lg border border-line bg-panel"
      style={{ maxHeight }}
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
          const row = rows[item.index]!;
          const href = rowHref?.(row);
          return (
            <div
              role="row"
              aria-rowindex={item.index + 2}
              key={rowKey(row)}
              data-testid="table-row"
              tabIndex={href ? 0 : undefined}
              onClick={href ? () => void navigate(href) : undefined}
              onKeyDown={href ? (event) => event.key === 'Enter' && void navigate(href) : undefined}
              className={`absolute inset-x-0 grid items-center border-b border-line/60 ${href ? 'cursor-pointer hover:bg-sunken focus-visible:bg-sunken' : ''}`}
              style={{
                gridTemplateColumns: template,
                height: item.size,
                transform: `translateY(${item.start}px)`,
              }}
            >
              {columns.map((column) => (
                <div
                  role="cell"
                  key={column.id}
                  className={`min-w-0 truncate px-3 ${column.className ?? ''}`}
                >
                  {column.cell(row)}
                </div>
              ))}
            </div>
          );
        })}
      </div>
    </div>
  );
}
