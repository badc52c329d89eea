/**
 * `/metrics` in the Prometheus text format (prom-client). Gauges are read from the store on
 * each scrape, one GROUP BY query each: runs by status, tasks (datums) by state, queue depth,
 * and the ML metrics runs log (latest value per pipeline, step and key). Durations of runs
 * and tasks finished since the last scrape are observed into histograms; worker use comes
 * from the engine; HTTP requests are counted by route and status as they are answered.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Engine } from '../../engine/index.js';
import { createServingMetrics, type ServingMetrics } from '../../serving/index.js';
import type { MetadataStore } from '../../store/index.js';

const RUN_STATES = ['queued', 'running', 'succeeded', 'failed', 'cancelled', 'interrupted'];
const TASK_STATES = ['pending', 'running', 'success', 'skipped', 'failed', 'cancelled', 'upstream_failed'];
/** Spans read per scrape at most; the rest are observed by the next scrapes. */
const SPANS_PER_SCRAPE = 10_000;

/** The API's Prometheus registry and what fills it. */
export interface ApiMetrics {
  registry: Registry;
  /** Refreshes the store-backed metrics; call before `registry.metrics()`. */
  collect(): Promise<void>;
  /** Records one answered HTTP request. */
  observeRequest(method: string, route: string, status: number, seconds: number): void;
  /** The model server's metrics, by model and version, in the same registry. */
  serving: ServingMetrics;
}

/** Metrics over a workspace's store and engine, in a registry of their own. */
export function createMetrics(workspace: { store: MetadataStore; engine?: Engine }): ApiMetrics {
  const registry = new Registry();
  const runs = new Gauge({
    name: 'sluice_runs',
    help: 'Runs in the store by status',
    labelNames: ['status'],
    registers: [registry],
  });
  const tasks = new Gauge({
    name: 'sluice_datums',
    help: 'Tasks (step x datum) in the store by state',
    labelNames: ['state'],
    registers: [registry],
  });
  const queue = new Gauge({
    name: 'sluice_queue_depth',
    help: 'Runs queued, waiting for a pool slot',
    registers: [registry],
  });
  const utilisation = new Gauge({
    name: 'sluice_worker_utilisation',
    help: 'Running attempts / attempt slots (engine concurrency) of this process',
    registers: [registry],
  });
  const runningAttempts = new Gauge({
    name: 'sluice_running_attempts',
    help: 'Attempts running in this process',
    registers: [registry],
  });
  const ml = new Gauge({
    name: 'sluice_run_metric',
    help: 'The latest value of a metric logged by a step (metric() or SLUICE_METRICS)',
    labelNames: ['pipeline', 'step', 'key'],
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: 'sluice_run_duration_seconds',
    help: 'Durations of finished runs',
    labelNames: ['pipeline', 'status'],
    buckets: [0.1, 0.5, 1, 5, 15, 60, 300, 900, 3600, 4 * 3600],
    registers: [registry],
  });
  const taskSeconds = new Histogram({
    name: 'sluice_task_duration_seconds',
    help: 'Durations of finished tasks (one step on one datum, all attempts)',
    labelNames: ['pipeline', 'step', 'status'],
    buckets: [0.005, 0.025, 0.1, 0.5, 1, 5, 30, 120, 600],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'sluice_http_requests_total',
    help: 'HTTP requests answered, by route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const latency = new Histogram({
    name: 'sluice_http_request_duration_seconds',
    help: 'HTTP request latency by route',
    labelNames: ['method', 'route'],
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5],
    registers: [registry],
  });
  let runsSeen = new Date(0);
  let tasksSeen = new Date(0);
  const { store, engine } = workspace;

  return {
    registry,
    serving: createServingMetrics(registry),
    async collect() {
      const [runCounts, taskCounts, latest, finishedRuns, finishedTasks] = await Promise.all([
        store.stats.runsByStatus(),
        store.stats.tasksByStatus(),
        store.stats.latestMetrics(),
        store.stats.finishedRuns(runsSeen, SPANS_PER_SCRAPE),
        store.stats.finishedTasks(tasksSeen, SPANS_PER_SCRAPE),
      ]);
      for (const status of new Set([...RUN_STATES, ...Object.keys(runCounts)]))
        runs.set({ status }, runCounts[status] ?? 0);
      for (const state of new Set([...TASK_STATES, ...Object.keys(taskCounts)]))
        tasks.set({ state }, taskCounts[state] ?? 0);
      queue.set(runCounts.queued ?? 0);
      ml.reset();
      for (const metric of latest)
        ml.set({ pipeline: metric.pipeline, step: metric.step, key: metric.key }, metric.value);
      for (const span of finishedRuns) {
        runSeconds.observe({ pipeline: span.pipeline, status: span.status }, span.seconds);
        runsSeen = span.finishedAt;
      }
      for (const span of finishedTasks) {
        taskSeconds.observe(
          { pipeline: span.pipeline, step: span.step ?? '', status: span.status },
          span.seconds,
        );
        tasksSeen = span.finishedAt;
      }
      const load = engine?.load();
      runningAttempts.set(load?.running ?? 0);
      utilisation.set(load && load.concurrency > 0 ? load.running / load.concurrency : 0);
    },
    observeRequest(method, route, status, seconds) {
      requests.inc({ method, route, status: String(status) });
      latency.observe({ method, route }, seconds);
    },
  };
}
