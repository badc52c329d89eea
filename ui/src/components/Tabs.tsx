/** Tabs (Radix: arrow keys move between tabs); the selected tab can live in the URL's `?tab=`. */
import { Tabs as RadixTabs } from 'radix-ui';
import type { ReactNode } from 'react';
import { useSearchParams } from 'react-router';

export interface TabSpec {
  id: string;
  label: ReactNode;
  content: ReactNode;
}

/** Tabs whose selection is the `tab` query parameter, so a tab can be linked and reloaded. */
export function UrlTabs({ tabs, param = 'tab' }: { tabs: TabSpec[]; param?: string }) {
  const [search, setSearch] = useSearchParams();
  const current = search.get(param) ?? tabs[0]?.id ?? '';
  return (
    <RadixTabs.Root
      value={current}
      onValueChange={(value) =>
        setSearch(
          (prev) => {
            const next = new URLSearchParams(prev);
            next.set(param, value);
            return next;
          },
          { replace: true },
        )
      }
    >
      <RadixTabs.List className="mb-4 flex gap-1 border-b border-line" aria-label="Sections">
        {tabs.map((tab) => (
          <RadixTabs.Trigger
            key={tab.id}
            value={tab.id}
            className="-mb-px border-b-2 border-transparent px-3 py-2 text-muted hover:text-fg data-[state=active]:border-accent data-[state=active]:text-fg"
          >
            {tab.label}
          </RadixTabs.Trigger>
        ))}
      </RadixTabs.List>
      {tabs.map((tab) => (
        <RadixTabs.Content key={tab.id} value={tab.id} className="focus-visible:outline-none">
          {tab.content}
        </RadixTabs.Content>
      ))}
    </RadixTabs.Root>
  );
}
