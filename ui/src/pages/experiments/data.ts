/** Queries and shaping of experiment data: runs with params and metric summaries, series. */
import { useQuery } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema';
import type { Metric } from '../../api/types';
import type { LineSeries } from '../../components/charts/LineChart';
import { formatNumber } from '../../lib/format';

export type ExperimentRun = components['schemas']['ExperimentRun'];
export type ExperimentPipeline = components['schemas']['ExperimentPipeline'];

/** Pipelines whose runs logged metrics (live: under the `runs` key). */
export function useExperimentPipelines() {
  return useQuery({
    queryKey: ['runs', 'experiments'],
    queryFn: () => unwrap(api.GET('/api/experiments')),
  });
}

/** A pipeline's runs with params and metric summaries, newest first. */
export function useExperimentRuns(pipeline: string) {
  return useQuery({
    queryKey: ['runs', 'experiments', pipeline],
    queryFn: () =>
      unwrap(
        api.GET('/api/experiments/{pipeline}', { params: { path: { pipeline }, query: { limit: 500 } } }),
      ),
  });
}

/** Every metric point of `runIds` (runs of `pipeline`). */
export function useSeries(pipeline: string, runIds: string[]) {
  return useQuery({
    queryKey: ['runs', 'experiments', pipeline, 'series', runIds.join(',')],
    queryFn: () =>
      unwrap(
        api.GET('/api/experiments/{pipeline}/series', {
          params: { path: { pipeline }, query: { runs: runIds.join(',') } },
        }),
      ),
    enabled: runIds.length > 0,
  });
}

/** A run's params and logged params in one record (logged ones win on a clash). */
export function allParams(run: ExperimentRun): Record<string, unknown> {
  return { ...run.params, ...run.loggedParams };
}

/** The param keys and metric keys over `runs`, sorted. */
export function columnsOf(runs: readonly ExperimentRun[]): { params: string[]; metrics: string[] } {
  const params = new Set<string>();
  const metrics = new Set<string>();
  for (const run of runs) {
    for (const key of Object.keys(allParams(run))) params.add(key);
    for (const metric of run.metrics) metrics.add(metric.key);
  }
  return { params: [...params].sort(), metrics: [...metrics].sort() };
}

/** The last value of `key` logged by `run`. */
export function lastMetric(run: ExperimentRun, key: string): number | undefined {
  return run.metrics.find((metric) => metric.key === key)?.last;
}

/** A param value as text (objects as JSON, nothing as an em dash). */
export function showValue(value: unknown): string {
  if (value === undefined || value === null) return '—';
  if (typeof value === 'number') return formatNumber(value);
  if (typeof value === 'string') return value;
  return JSON.stringify(value);
}

/**
 * Metric points grouped as chart series: per key, one series per run (x: the logged
 * index/step, or seconds since the run's first point when it logged none).
 */
export function seriesByKey(
  points: readonly Metric[],
  runs: { id: string; name: string; color: string }[],
): { key: string; usesIndex: boolean; series: LineSeries[] }[] {
  const keys = [...new Set(points.map((point) => point.key))].sort();
  return keys.map((key) => {
    const ofKey = points.filter((point) => point.key === key);
    const usesIndex = ofKey.every((point) => point.index !== null);
    const series = runs.map((run) => {
      const mine = ofKey.filter((point) => point.runId === run.id);
      const start = Math.min(...mine.map((point) => Date.parse(point.time)));
      const xy = mine
        .map((point) => ({
          x: usesIndex ? point.index! : (Date.parse(point.time) - start) / 1000,
          y: point.value,
        }))
        .sort((a, b) => a.x - b.x);
      return { name: run.name, color: run.color, points: xy };
    });
    return { key, usesIndex, series: series.filter((item) => item.points.length > 0) };
  });
}
