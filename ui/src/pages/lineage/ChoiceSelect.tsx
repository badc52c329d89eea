/** A labelled Radix select over `{ value, label }` choices, for the lineage landing page. */
import { Check, ChevronDown } from 'lucide-react';
import { Select } from 'radix-ui';

export interface Choice {
  value: string;
  label: string;
}

export function ChoiceSelect({
  label,
  value,
  choices,
  onChange,
  placeholder,
}: {
  label: string;
  value: string;
  choices: readonly Choice[];
  onChange: (value: string) => void;
  placeholder: string;
}) {
  return (
    <label className="flex min-w-0 flex-col gap-1">
      <span className="font-medium">{label}</span>
      <Select.Root value={value || undefined} onValueChange={onChange} disabled={choices.length === 0}>
        <Select.Trigger
          aria-label={label}
          className="inline-flex w-full min-w-0 items-center justify-between gap-2 rounded-md border border-line bg-panel px-2 py-1.5 text-left text-fg hover:bg-sunken disabled:opacity-60"
        >
          <span className="truncate">
            <Select.Value placeholder={placeholder} />
          </span>
          <Select.Icon>
            <ChevronDown className="size-4 shrink-0 text-muted" aria-hidden />
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
                  <Select.ItemText>{choice.label}</Select.ItemText>
                  <Select.ItemIndicator>
                    <Check className="size-4 text-accent" aria-hidden />
                  </Select.ItemIndicator>
                </Select.Item>
              ))}
            </Select.Viewport>
          </Select.Content>
        </Select.Portal>
      </Select.Root>
    </label>
  );
}
