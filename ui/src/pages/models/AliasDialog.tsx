/** "Set alias": points an alias (new or existing) at a version of the model. */
import { Dialog } from 'radix-ui';
import { useEffect, useState } from 'react';
import type { ModelVersion } from '../../api/types';
import { Button } from '../../components/Button';
import { ErrorView } from '../../components/States';
import { useAliasMutations } from './data';

const ALIAS = /^[a-z][a-z0-9_-]*$/;

export function AliasDialog({
  name,
  versions,
  initialVersion,
  open,
  onOpenChange,
}: {
  name: string;
  versions: ModelVersion[];
  initialVersion?: number;
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const { set } = useAliasMutations(name);
  const [alias, setAlias] = useState('production');
  const [version, setVersion] = useState<number>(initialVersion ?? versions[0]?.version ?? 1);
  useEffect(() => {
    if (open) {
      set.reset();
      setVersion(initialVersion ?? versions[0]?.version ?? 1);
    }
    // NOTE: reset only when the dialog opens.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);
  const problem =
    alias === 'latest'
      ? "'latest' always names the newest version"
      : alias && !ALIAS.test(alias)
        ? "use lowercase letters, digits, '-' and '_', starting with a letter"
        : null;
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <Dialog.Content className="fixed top-1/4 left-1/2 z-50 w-[26rem] max-w-[92vw] -translate-x-1/2 rounded-lg border border-line bg-panel p-5 shadow-xl">
          <Dialog.Title className="text-base font-semibold">Set an alias of {name}</Dialog.Title>
          <Dialog.Description className="mt-1 text-muted">
            Steps and params can name the version as{' '}
            <code className="font-mono">
              {name}@{alias || 'alias'}
            </code>
            . An alias that exists moves to the chosen version.
          </Dialog.Description>
          <form
            className="mt-4 space-y-3"
            onSubmit={(event) => {
              event.preventDefault();
              if (problem || !alias) return;
              set.mutate({ alias, version }, { onSuccess: () => onOpenChange(false) });
            }}
          >
            <label className="block">
              <span className="mb-1 block text-xs text-muted">Alias</span>
              <input
                autoFocus
                value={alias}
                onChange={(event) => setAlias(event.target.value.trim())}
                className="w-full rounded-md border border-line bg-page px-2 py-1.5 font-mono"
                aria-invalid={problem ? true : undefined}
              />
            </label>
            {problem && <p className="text-xs text-bad">{problem}</p>}
            <label className="block">
              <span className="mb-1 block text-xs text-muted">Version</span>
              <select
                value={version}
                onChange={(event) => setVersion(Number(event.target.value))}
                className="w-full rounded-md border border-line bg-page px-2 py-1.5 font-mono"
              >
                {versions.map((item) => (
                  <option key={item.version} value={item.version}>
                    v{item.version}
                    {item.aliases.length ? ` (${item.aliases.join(', ')})` : ''}
                  </option>
                ))}
              </select>
            </label>
            {set.isError && <ErrorView error={set.error} title="Could not set the alias" />}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button type="submit" variant="primary" disabled={!alias || !!problem || set.isPending}>
                Set alias
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
