/** The "Create repo" dialog: a name and a description, POSTed to the API; errors stay in the dialog. */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Plus } from 'lucide-react';
import { Dialog } from 'radix-ui';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Button } from '../../components/Button';
import { ErrorView } from '../../components/States';

/** A button that opens the dialog; a created repo opens its page. */
export function CreateRepoDialog() {
  const [open, setOpen] = useState(false);
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const client = useQueryClient();
  const navigate = useNavigate();
  const create = useMutation({
    mutationFn: () =>
      unwrap(
        api.POST('/api/repos', {
          body: { name: name.trim(), ...(description.trim() ? { description: description.trim() } : {}) },
        }),
      ),
    onSuccess: async (repo) => {
      await client.invalidateQueries({ queryKey: ['repos'] });
      setOpen(false);
      void navigate(`/repos/${encodeURIComponent(repo.name)}`);
    },
  });
  const change = (next: boolean) => {
    setOpen(next);
    if (next) {
      setName('');
      setDescription('');
      create.reset();
    }
  };
  const field = 'w-full rounded-md border border-line bg-page px-2 py-1.5';
  return (
    <Dialog.Root open={open} onOpenChange={change}>
      <Dialog.Trigger asChild>
        <Button variant="primary">
          <Plus className="size-4" aria-hidden /> Create repo
        </Button>
      </Dialog.Trigger>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <Dialog.Content className="fixed top-1/4 left-1/2 z-50 w-[30rem] max-w-[92vw] -translate-x-1/2 rounded-lg border border-line bg-panel p-5 shadow-xl">
          <Dialog.Title className="text-base font-semibold">Create repo</Dialog.Title>
          <Dialog.Description className="mt-1 text-muted">
            A repo holds versioned files; every change is a commit that pipelines can read.
          </Dialog.Description>
          <form
            className="mt-4 flex flex-col gap-3"
            onSubmit={(event) => {
              event.preventDefault();
              create.mutate();
            }}
          >
            <label className="flex flex-col gap-1">
              <span className="font-medium">Name</span>
              <input
                autoFocus
                required
                value={name}
                onChange={(event) => setName(event.target.value)}
                className={`${field} font-mono`}
                placeholder="images"
              />
            </label>
            <label className="flex flex-col gap-1">
              <span className="font-medium">
                Description <span className="font-normal text-muted">(optional)</span>
              </span>
              <textarea
                value={description}
                onChange={(event) => setDescription(event.target.value)}
                rows={2}
                className={field}
              />
            </label>
            {create.error && <ErrorView error={create.error} title="Could not create the repo" />}
            <div className="flex justify-end gap-2">
              <Dialog.Close asChild>
                <Button>Cancel</Button>
              </Dialog.Close>
              <Button type="submit" variant="primary" disabled={!name.trim() || create.isPending}>
                {create.isPending ? 'Creating…' : 'Create'}
              </Button>
            </div>
          </form>
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
