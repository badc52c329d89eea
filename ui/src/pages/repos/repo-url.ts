/** The repo page's state lives in its URL: `?ref=` (branch or commit), `?tab=`, `?path=` (folder), `?file=`. */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/** Query changes: a string sets the parameter, `null` removes it. */
export type SearchChanges = Record<string, string | null>;

/** `search` with `changes` applied, as a `?query` string. */
export function withSearch(search: URLSearchParams, changes: SearchChanges): string {
  const next = new URLSearchParams(search);
  for (const [key, value] of Object.entries(changes)) {
    if (value === null) next.delete(key);
    else next.set(key, value);
  }
  const text = next.toString();
  return text ? `?${text}` : '?';
}

/** A function making repo page links that change some query parameters and keep the others. */
export function useSearchLink(): (changes: SearchChanges) => string {
  const [search] = useSearchParams();
  return useCallback((changes: SearchChanges) => withSearch(search, changes), [search]);
}

/** The page of repo `repo` at `ref`, optionally on a tab. */
export function repoHref(repo: string, ref?: string, tab?: string): string {
  const query = new URLSearchParams();
  if (ref) query.set('ref', ref);
  if (tab) query.set('tab', tab);
  const text = query.toString();
  return `/repos/${encodeURIComponent(repo)}${text ? `?${text}` : ''}`;
}
