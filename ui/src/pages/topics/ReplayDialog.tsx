/**
 * "Replay…": moves a consumer group to the earliest or latest message, a seq or a time. The
 * dialog says what will happen before the reset and shows the group as it is after it.
 */
import { Dialog } from 'radix-ui';
import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { ErrorView } from '../../components/States';
import { formatTime } from '../../lib/format';
import { useResetGroup } from './data';
import type { ResetTarget, TopicSummary } from './types';

type Choice = 'earliest' | 'latest' | 'seq' | 'time';

const CHOICES: { value: Choice; label: string }[] = [
  { value: 'earliest', label: 'The earliest retained message' },
  { value: 'latest', label: 'After the latest message (skip the backlog)' },
  { value: 'seq', label: 'A seq' },
  { value: 'time', label: 'A time' },
];

/** The reset target of the form, or why it is not one yet. */
function targetOf(choice: Choice, seq: string, time: string): ResetTarget | string {
  if (choice === 'earliest' || choice === 'latest') return { position: choice };
  if (choice === 'seq') {
    const value = Number(seq);
    return seq && Number.isInteger(value) && value >= 1
      ? { seq: value }
      : 'seq: expected a whole number from 1';
  }
  const date = new Date(time);
  return time && !Number.isNaN(date.getTime())
    ? { time: date.toISOString() }
    : 'time: expected a date and time';
}

/** What a reset to `target` will do, in words. */
function effectOf(target: ResetTarget, group: string): string {
  if ('position' in target) {
    return target.position === 'earliest'
      ? `${group} will receive every retained message again, from the oldest.`
      : `${group} will skip every message produced so far and receive only new ones.`;
  }
  if ('seq' in target) return `${group} will receive every message from seq ${target.seq} on (again).`;
  return `${group} will receive every message produced since ${formatTime(target.time)} (again).`;
}

/** The replay dialog of `group` (open while it is not `null`). */
export function ReplayDialog({
  topic,
  group,
  onOpenChange,
}: {
  topic: TopicSummary;
  group: string | null;
  onOpenChange: (open: boolean) => void;
}) {
  const reset = useResetGroup(topic.name);
  const [choice, setChoice] = useState<Choice>('earliest');
  const [seq, setSeq] = useState('');
  const [time, setTime] = useState('');
  useEffect(() => {
    if (group !== null) {
      reset.reset();
      setChoice('earliest');
    }
    // NOTE: reset only when the dialog opens for a group.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [group]);
  const target = targetOf(choice, seq, time);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (group !== null && typeof target !== 'string') reset.mutate({ group, target });
  };
  const done = reset.data;
  return (
    <Dialog.Root open={group !== null} onOpenChange={onOpenChange}>
      <Dialog.Portal>
        <Dialog.Overlay className="fixed inset-0 z-40 bg-black/40" />
        <Dialog.Content className="fixed top-1/4 left-1/2 z-50 w-[30rem] max-w-[92vw] -translate-x-1/2 rounded-lg border border-line bg-panel p-5 shadow-xl">
          <Dialog.Title className="text-base font-semibold">
            Replay <span className="font-mono">{group}</span> of{' '}
            <span className="font-mono">{topic.name}</span>
          </Dialog.Title>
          <Dialog.Description className="mt-1 text-muted">
            Moves the group to another position. Deliveries waiting for an ack are forgotten.
          </Dialog.Description>
          {done ? (
            <div className="mt-4 space-y-3" role="status">
              <p className="rounded-md border border-ok/40 bg-ok/10 p-3 text-ok">
                {done.name} now has {done.lag.toLocaleString('en-US')}{' '}
                {done.lag === 1 ? 'message' : 'messages'} to consume (ack floor {done.ackFloor}).
              </p>
              <div className="flex justify-end">
                <Dialog.Close asChild>
                  <Button variant="primary">Done</Button>
                </Dialog.Close>
              </div>
            </div>
          ) : (
            <form className="mt-4 space-y-3" onSubmit={submit}>
              <fieldset className="space-y-1.5">
                <legend className="mb-1 text-xs text-muted">Start from</legend>
                {CHOICES.map((item) => (
                  <label key={item.value} className="flex items-center gap-2">
                    <input
                      type="radio"
                      name="replay-from"
                      value={item.value}
                      checked={choice === item.value}
                      onChange={() => setChoice(item.value)}
                      className="accent-accent"
                    />
                    {item.label}
                  </label>
                ))}
              </fieldset>
              {choice === 'seq' && (
                <label className="block">
                  <span className="mb-1 block text-xs text-muted">Seq</span>
                  <input
                    autoFocus
                    inputMode="numeric"
                    value={seq}
                    onChange={(event) => setSeq(event.target.value.trim())}
                    placeholder={`${topic.firstSeq || 1}–${topic.lastSeq}`}
                    className="w-full rounded-md border border-line bg-page px-2 py-1.5 font-mono"
                  />
                </label>
              )}
              {choice === 'time' && (
                <label className="block">
                  <span className="mb-1 block text-xs text-muted">Time</span>
                  <input
                    autoFocus
                    type="datetime-local"
                    step={1}
                    value={time}
                    onChange={(event) => setTime(event.target.value)}
                    className="w-full rounded-md border border-line bg-page px-2 py-1.5"
                  />
                </label>
              )}
              <p
                className={`text-xs ${typeof target === 'string' ? 'text-muted' : 'text-warn'}`}
                data-testid="replay-effect"
              >
                {typeof target === 'string' ? target : effectOf(target, group ?? '')}
              </p>
              {reset.isError && <ErrorView error={reset.error} title="Could not reset the group" />}
              <div className="flex justify-end gap-2">
                <Dialog.Close asChild>
                  <Button>Cancel</Button>
                </Dialog.Close>
                <Button
                  type="submit"
                  variant="primary"
                  disabled={typeof target === 'string' || reset.isPending}
                >
                  Reset group
                </Button>
              </div>
            </form>
          )}
        </Dialog.Content>
      </Dialog.Portal>
    </Dialog.Root>
  );
}
