/** The branch selector of the repo page (Radix Select); a commit id in `?ref=` shows as its own choice. */
import { Check, ChevronDown, GitBranch, GitCommitHorizontal } from 'lucide-react';
import { Select } from 'radix-ui';
import type { Branch } from '../../api/types';
import { shortId } from '../../lib/format';

export function RefSelect({
  branches,
  value,
  onChange,
}: {
  branches: readonly Branch[];
  value: string;
  onChange: (ref: string) => void;
}) {
  const isBranch = branches.some((branch) => branch.name === value);
  const choices = [
    ...branches.map((branch) => ({ value: branch.name, label: branch.name, commit: false })),
    ...(isBranch || !value ? [] : [{ value, label: `commit ${shortId(value)}`, commit: true }]),
  ];
  return (
    <Select.Root value={value} onValueChange={onChange} disabled={choices.length === 0}>
      <Select.Trigger
        aria-label="Branch or commit"
        className="inline-flex min-w-36 items-center justify-between gap-2 rounded-md border border-line bg-panel px-2 py-1.5 text-fg hover:bg-sunken disabled:opacity-60"
      >
        <span className="flex items-center gap-1.5">
          {isBranch || !value ? (
            <GitBranch className="size-4 text-muted" aria-hidden />
          ) : (
            <GitCommitHorizontal className="size-4 text-muted" aria-hidden />
          )}
          <Select.Value placeholder="no branches" />
        </span>
        <Select.Icon>
          <ChevronDown className="size-4 text-muted" aria-hidden />
        </Select.Icon>
      </Select.Trigger>
      <Select.Portal>
        <Select.Content
          position="popper"
          sideOffset={4}
          className="z-50 max-h-80 min-w-[var(--radix-select-trigger-width)] overflow-hidden rounded-md border border-line bg-panel text-fg shadow-lg"
        >
          <Select.Viewport className="p-1">
            {choices.map((choice) => (
              <Select.Item
                key={choice.value}
                value={choice.value}
                className="flex cursor-pointer items-center justify-between gap-3 rounded px-2 py-1.5 outline-none select-none data-[highlighted]:bg-sunken"
              >
                <Select.ItemText>
                  <span className={choice.commit ? 'font-mono text-xs' : ''}>{choice.label}</span>
                </Select.ItemText>
                <Select.ItemIndicator>
                  <Check className="size-4 text-accent" aria-hidden />
                </Select.ItemIndicator>
              </Select.Item>
            ))}
          </Select.Viewport>
        </Select.Content>
      </Select.Portal>
    </Select.Root>
  );
}
