/**
 * Topics for a child process, over its IPC channel. The embedded backend lives in the data
 * directory's owner; a child it forks (a batch loader) reaches the same topics through the
 * owner: every call is forwarded and answered, so acks, deadlines and redelivery stay the
 * backend's. When the child dies, its consumers leave their groups: what it had not acked
 * is redelivered to other members after the ack deadline, as for any dead consumer.
 *
 * Fork the child with `serialization: 'advanced'` (bytes and dates cross as they are).
 */
import type { ChildProcess } from 'node:child_process';
import { SluiceError, type ErrorCode } from '../core/index.js';
import type { Consumer, Delivery, ProduceMessage, StartPosition, Topics } from './topics.js';

/** What a child can do with topics. */
export type ChildTopics = Pick<Topics, 'produce' | 'consumer'>;

type Call =
  | { op: 'produce'; topic: string; messages: ProduceMessage[] }
  | { op: 'consumer'; topic: string; group: string; start?: StartPosition }
  | { op: 'fetch'; consumer: number; max: number; expiresMs: number }
  | { op: 'ack' | 'extend'; consumer: number; seqs: number[] }
  | { op: 'nak'; consumer: number; seqs: number[]; delayMs?: number }
  | { op: 'deadLetter'; consumer: number; messages: Delivery[]; reason: string }
  | { op: 'close'; consumer: number };

interface Request {
  kind: 'sluice-topics';
  id: number;
  call: Call;
}

interface Reply {
  kind: 'sluice-topics-reply';
  id: number;
  value?: unknown;
  error?: { code: string; message: string };
}

const isRequest = (message: unknown): message is Request =>
  typeof message === 'object' && message !== null && (message as Request).kind === 'sluice-topics';

/** Answers `child`'s topic calls with `topics`; returns a function that stops (and closes its consumers). */
export function serveTopicsTo(child: ChildProcess, topics: Topics): () => Promise<void> {
  const consumers = new Map<number, Consumer>();
  let next = 1;
  const consumer = (id: number): Consumer => {
    const found = consumers.get(id);
    if (!found) throw new SluiceError('INTERNAL', `no consumer ${id} for this child`);
    return found;
  };
  const seqs = (list: number[]): { seq: number }[] => list.map((seq) => ({ seq }));

  async function answer(call: Call): Promise<unknown> {
    switch (call.op) {
      case 'produce':
        return topics.produce(call.topic, call.messages);
      case 'consumer': {
        const opened = await topics.consumer(call.topic, call.group, call.start ? { start: call.start } : {});
        const id = next++;
        consumers.set(id, opened);
        return id;
      }
      case 'fetch':
        return consumer(call.consumer).fetch({ max: call.max, expiresMs: call.expiresMs });
      case 'ack':
        return consumer(call.consumer).ack(seqs(call.seqs));
      case 'extend':
        return consumer(call.consumer).extend(seqs(call.seqs));
      case 'nak':
        return consumer(call.consumer).nak(seqs(call.seqs), call.delayMs);
      case 'deadLetter':
        return consumer(call.consumer).deadLetter(call.messages, call.reason);
      case 'close': {
        const closing = consumer(call.consumer);
        consumers.delete(call.consumer);
        return closing.close();
      }
    }
  }

  const onMessage = (message: unknown): void => {
    if (!isRequest(message)) return;
    void answer(message.call).then(
      (value) => reply({ kind: 'sluice-topics-reply', id: message.id, value }),
      (error: unknown) =>
        reply({
          kind: 'sluice-topics-reply',
          id: message.id,
          error: {
            code: error instanceof SluiceError ? error.code : 'INTERNAL',
            message: error instanceof Error ? error.message : String(error),
          },
        }),
    );
  };
  // A child killed between its call and our answer closes the channel under us (EPIPE): the
  // answer has nobody to go to, and the exit handler below releases what the child held.
  const reply = (message: Reply): void => {
    if (child.connected) child.send(message, (error) => void error);
  };
  const closeAll = async (): Promise<void> => {
    const open = [...consumers.values()];
    consumers.clear();
    await Promise.allSettled(open.map((item) => item.close()));
  };
  child.on('message', onMessage);
  child.once('exit', () => void closeAll());
  return async () => {
    child.off('message', onMessage);
    await closeAll();
  };
}

/** The topics of the parent process, for a child forked with an IPC channel. */
export function topicsFromParent(): ChildTopics {
  const send = process.send?.bind(process);
  if (!send)
    throw new SluiceError('USAGE', 'this process has no IPC channel to a parent that owns the topics');
  const pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  let next = 1;
  process.on('message', (message: unknown) => {
    const reply = message as Reply;
    if (typeof reply !== 'object' || reply === null || reply.kind !== 'sluice-topics-reply') return;
    const waiter = pending.get(reply.id);
    if (!waiter) return;
    pending.delete(reply.id);
    if (reply.error) waiter.reject(new SluiceError(reply.error.code as ErrorCode, reply.error.message));
    else waiter.resolve(reply.value);
  });
  process.once('disconnect', () => {
    for (const waiter of pending.values())
      waiter.reject(new SluiceError('TOPIC_UNAVAILABLE', 'the parent process that owns the topics is gone'));
    pending.clear();
  });
  const call = <T>(request: Call): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const id = next++;
      pending.set(id, { resolve: resolve as (value: unknown) => void, reject });
      send({ kind: 'sluice-topics', id, call: request } satisfies Request, undefined, {}, (error) => {
        if (!error || !pending.delete(id)) return;
        reject(
          new SluiceError(
            'TOPIC_UNAVAILABLE',
            `the parent process that owns the topics is gone: ${error.message}`,
          ),
        );
      });
    });
  const seqsOf = (messages: readonly { seq: number }[]): number[] => messages.map((message) => message.seq);
  return {
    produce: (topic, messages) => call<number[]>({ op: 'produce', topic, messages: [...messages] }),
    async consumer(topic, group, options = {}) {
      const id = await call<number>({
        op: 'consumer',
        topic,
        group,
        ...(options.start === undefined ? {} : { start: options.start }),
      });
      return {
        topic,
        group,
        fetch: (fetchOptions) => call<Delivery[]>({ op: 'fetch', consumer: id, ...fetchOptions }),
        ack: (messages) => call<void>({ op: 'ack', consumer: id, seqs: seqsOf(messages) }),
        extend: (messages) => call<void>({ op: 'extend', consumer: id, seqs: seqsOf(messages) }),
        nak: (messages, delayMs) =>
          call<void>({
            op: 'nak',
            consumer: id,
            seqs: seqsOf(messages),
            ...(delayMs === undefined ? {} : { delayMs }),
          }),
        deadLetter: (messages, reason) =>
          call<void>({ op: 'deadLetter', consumer: id, messages: [...messages], reason }),
        close: () => call<void>({ op: 'close', consumer: id }),
      };
    },
  };
}
