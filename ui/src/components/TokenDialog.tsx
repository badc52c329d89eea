/**
 * The API token prompt. It opens when the server answers 401 (a server with tokens) or from
 * the header's key button, and saves the token for every later request.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { useEffect, useState } from 'react';
import { saveToken, savedToken } from '../api/client';
import { Button } from './Button';

/** Asks the token dialog to open (after a 401), showing why: the API's message. */
export function requestToken(reason?: string): void {
  window.dispatchEvent(new CustomEvent('sluice-token-needed', { detail: reason }));
}

export function TokenDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [value, setValue] = useState('');
  const [reason, setReason] = useState<string | null>(null);
  const client = useQueryClient();
  useEffect(() => {
    const show = (event: Event) => {
      // NOTE: without a saved token a 401 is expected; with one, the API's message says what is wrong.
      setReason(savedToken() ? ((event as CustomEvent<string | undefined>).detail ?? null) : null);
      onOpenChange(true);
    };
    window.addEventListener('sluice-token-needed', show);
    return () => window.removeEventListener('sluice-token-needed', show);
  }, [onOpenChange]);
  useEffect(() => {
    if (open) setValue(savedToken() ?? '');
  }, [open]);
  const submit = () => {
    saveToken(value.trim() || null);
    onOpenChange(false);
    void client.invalidateQueries();
  };
  return (
    <Dialog.Root open={open} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <Dialog.Content className="fixed top-1/4 left-1/2 z-50 w-[28rem] max-w-[92vw] -translate-x-1/2 rounded-lg border border-line bg-panel p-5 shadow-xl">
          <Dialog.Title className="text-base font-semibold">API token</Dialog.Title>
          <Dialog.Description className="mt-1 text-muted">
            This server requires an API token. Create one with{' '}
            <code className="font-mono">sluice token create --role viewer</code> and paste it here; it is kept
            in this browser only.
          </Dialog.Description>
          {reason && (
            <p role="alert" className="mt-3 rounded-md border border-bad/40 bg-bad/10 px-3 py-2 text-bad">
              {reason}
            </p>
          )}
          <form
            className="mt-4 flex gap-2"
            onSubmit={(event) => {
              event.preventDefault();
              submit();
            }}
          >
            <input
              aria-label="API token"
              autoFocus
              type="password"
              value={value}
              onChange={(event) => setValue(event.target.value)}
              className="min-w-0 flex-1 rounded-md border border-line bg-page px-2 py-1.5 font-mono"
              placeholder="sl_…"
            />
            <Button type="submit" variant="primary">
              Save
            </Button>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
