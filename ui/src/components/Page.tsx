/** Page frame: a title row with actions, breadcrumbs, and panels. */
import type { ReactNode } from 'react';
import { Link } from 'react-router';

export function PageHeader({
  title,
  crumbs = [],
  actions,
  children,
}: {
  title: ReactNode;
  crumbs?: { label: string; to: string }[];
  actions?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <header className="mb-4">
      {crumbs.length > 0 && (
        <nav aria-label="Breadcrumb" className="mb-1 text-xs text-muted">
          {crumbs.map((crumb, index) => (
            <span key={crumb.to}>
              {index > 0 && ' / '}
              <Link className="hover:text-fg hover:underline" to={crumb.to}>
                {crumb.label}
              </Link>
            </span>
          ))}
        </nav>
      )}
      <div className="flex flex-wrap items-center justify-between gap-3">
        <h1 className="text-xl font-semibold">{title}</h1>
        {actions && <div className="flex flex-wrap items-center gap-2">{actions}</div>}
      </div>
      {children && <div className="mt-2 text-muted">{children}</div>}
    </header>
  );
}

export function Panel({
  title,
  actions,
  children,
  className = '',
}: {
  title?: ReactNode;
  actions?: ReactNode;
  children: ReactNode;
  className?: string;
}) {
  return (
    <section className={`rounded-lg border border-line bg-panel ${className}`}>
      {(title || actions) && (
        <div className="flex items-center justify-between gap-2 border-b border-line px-4 py-2">
          {title && <h2 className="font-semibold">{title}</h2>}
          {actions}
        </div>
      )}
      <div className="p-4">{children}</div>
    </section>
  );
}

/** Label/value pairs (a run's facts, a model version's provenance). */
export function Facts({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="grid grid-cols-[max-content_1fr] gap-x-4 gap-y-1.5">
      {items.map(([label, value]) => (
        <div key={label} className="contents">
          <dt className="text-muted">{label}</dt>
          <dd className="min-w-0 break-words">{value}</dd>
        </div>
      ))}
    </dl>
  );
}
