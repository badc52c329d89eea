/** A labelled Radix select of string choices, with an "all" choice that means no filter. */
import { Check, ChevronDown } from 'lucide-react';
import { Select } from 'radix-ui';

const ALL = '__all__';

/** `value` `''` is "all"; `onChange('')` clears the filter. */
export function FilterSelect({
  label,
  value,
  choices,
  onChange,
  allLabel = 'all',
  withAll = true,
}: {
  label: string;
  value: string;
  choices: readonly string[];
  onChange: (value: string) => void;
  allLabel?: string;
  /** Whether "all" is a choice (off for a required value). */
  withAll?: boolean;
}) {
  return (
    <label className="flex items-center gap-1.5 text-muted">
      <span>{label}</span>
      <Select.Root value={value || ALL} onValueChange={(next) => onChange(next === ALL ? '' : next)}>
        <Select.Trigger
          aria-label={label}
          className="inline-flex min-w-28 items-center justify-between gap-2 rounded-md border border-line bg-panel px-2 py-1.5 text-fg hover:bg-sunken"
        >
          <Select.Value />
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
              {(withAll ? [ALL, ...choices] : choices).map((choice) => (
                <Select.Item
                  key={choice}
                  value={choice}
                  className="flex cursor-pointer items-center justify-between gap-3 rounded px-2 py-1.5 outline-none select-none data-[highlighted]:bg-sunken"
                >
                  <Select.ItemText>{choice === ALL ? allLabel : choice}</Select.ItemText>
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
