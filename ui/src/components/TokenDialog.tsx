/**
 * The API token prompt. It opens when the server answers 401 (a server with tokens) or from
 * the header's key button, and saves the token for every later request.
 */
import { useQueryClient } from '@tanstack/react-query';
import { Dialog } from 'radix-ui';
import { useEffect, useState } from 'react';
import { saveToken, savedToken } from '../api/client';
import { Button } from './Button';

/** Asks every open token dialog to open (e.g. after a 401). */
export function requestToken(): void {
  window.dispatchEvent(new Event('sluice-token-needed'));
}

export function TokenDialog({
  open,
  onOpenChange,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
}) {
  const [value, setValue] = useState('');
  const client = useQueryClient();
  useEffect(() => {
    const show = () => onOpenChange(true);
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
            <code className="font-mono">sluice token create NAME</code> and paste it here; it is kept in this
            browser only.
          </Dialog.Description>
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
