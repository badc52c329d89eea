/** Loading, empty and error states: what every page shows before or instead of its data. */
import type { ReactNode } from 'react';
import { ApiError } from '../api/client';

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div role="status" className="flex items-center gap-2 p-6 text-muted">
      <span className="size-4 animate-spin rounded-full border-2 border-line border-t-accent" aria-hidden />
      {label}
    </div>
  );
}

/** An empty state that tells the user what to do next (`children`: the how-to, e.g. a command). */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="rounded-lg border border-dashed border-line bg-panel p-8 text-center">
      <h3 className="text-base font-semibold">{title}</h3>
      {children && <div className="mx-auto mt-2 max-w-xl text-muted">{children}</div>}
    </div>
  );
}

/** A command the user can copy, for empty states. */
export function Command({ children }: { children: string }) {
  return (
    <code className="mt-2 inline-block rounded bg-sunken px-2 py-1 font-mono text-xs text-fg select-all">
      {children}
    </code>
  );
}

/** An API error with the server's message (and code), or any other error's message. */
export function ErrorView({ error, title = 'Something went wrong' }: { error: unknown; title?: string }) {
  const message = error instanceof Error ? error.message : String(error);
  const code = error instanceof ApiError ? error.code : undefined;
  return (
    <div role="alert" className="rounded-lg border border-bad/40 bg-bad/10 p-4 text-bad">
      <div className="font-semibold">
        {title}
        {code && <span className="ml-2 font-mono text-xs opacity-80">{code}</span>}
      </div>
      <div className="mt-1 break-words whitespace-pre-wrap">{message}</div>
    </div>
  );
}
