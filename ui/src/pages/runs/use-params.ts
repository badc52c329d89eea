/** The URL query as page state: filters, views and selections live in `?key=value`. */
import { useCallback } from 'react';
import { useSearchParams } from 'react-router';

/** The query and a setter that changes some keys (`''` or `undefined` removes a key). */
export function useQueryState(): [URLSearchParams, (changes: Record<string, string | undefined>) => void] {
  const [search, setSearch] = useSearchParams();
  const update = useCallback(
    (changes: Record<string, string | undefined>) =>
      setSearch(
        (previous) => {
          const next = new URLSearchParams(previous);
          for (const [key, value] of Object.entries(changes)) {
            if (value) next.set(key, value);
            else next.delete(key);
          }
          return next;
        },
        { replace: true },
      ),
    [setSearch],
  );
  return [search, update];
}
