// The BullMQ worker process of the peers benchmark (started by bullmq.js): one Worker on
// the queue named in argv, with the concurrency given there. Prints "ready" once running.
//   node bench/peers/bullmq-worker.js <queue> <concurrency> <redis db>
import { setTimeout as sleep } from 'node:timers/promises';
import { FlowProducer, Worker } from 'bullmq';

const [queueName = 'peers', rawConcurrency = '2', rawDb = '14'] = process.argv.slice(2);
const connection = { host: '127.0.0.1', port: 6379, db: Number(rawDb), maxRetriesPerRequest: null };
const flows = new FlowProducer({ connection });

/**
 * The job kinds: `noop`; `root` (the 1 of 1 -> 200 -> 1, which adds the 200 and the gathering
 * job as a flow: the gathering job waits for its 200 children); `gather`; `sleep` (10 ms).
 * @param {import('bullmq').Job} job
 */
async function processJob(job) {
  switch (job.name) {
    case 'noop':
      return job.data.value;
    case 'root': {
      const { width, gatherId } = job.data;
      await flows.add({
        name: 'gather',
        queueName,
        opts: { jobId: gatherId },
        children: Array.from({ length: width }, (_, value) => ({ name: 'noop', queueName, data: { value } })),
      });
      return 0;
    }
    case 'gather':
      return Object.keys(await job.getChildrenValues()).length;
    case 'sleep':
      await sleep(10);
      return 1;
    default:
      throw new Error(`bullmq-worker: unknown job name '${job.name}'; allowed: noop, root, gather, sleep`);
  }
}

const worker = new Worker(queueName, processJob, { connection, concurrency: Number(rawConcurrency) });
await worker.waitUntilReady();
process.stdout.write('ready\n');

const stop = async () => {
  await worker.close();
  await flows.close();
  process.exit(0);
};
process.on('SIGTERM', () => void stop());
