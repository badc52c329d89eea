/**
 * Prometheus metrics of the model server, by model and version: requests by status, request
 * latency, rows predicted, batch sizes and batch compute time, errors by code, and which
 * versions are loaded. They join the registry `/metrics` already serves.
 */
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/** The model server's metrics. */
export interface ServingMetrics {
  request(model: string, version: string, status: number, seconds: number, rows: number): void;
  error(model: string, version: string, code: string): void;
  batch(model: string, version: string, rows: number, seconds: number): void;
  loaded(model: string, version: string, loaded: boolean): void;
}

/** Registers the serving metrics in `registry`. */
export function createServingMetrics(registry: Registry): ServingMetrics {
  const registers = [registry];
  const requests = new Counter({
    name: 'sluice_model_requests_total',
    help: 'Prediction and training requests answered, by model, version and HTTP status',
    labelNames: ['model', 'version', 'status'],
    registers,
  });
  const latency = new Histogram({
    name: 'sluice_model_request_duration_seconds',
    help: 'Prediction request latency (decode, queue, batch, answer), by model and version',
    labelNames: ['model', 'version'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers,
  });
  const rowsTotal = new Counter({
    name: 'sluice_model_rows_total',
    help: 'Rows predicted, by model and version',
    labelNames: ['model', 'version'],
    registers,
  });
  const errors = new Counter({
    name: 'sluice_model_errors_total',
    help: 'Failed prediction and training requests, by model, version and error code',
    labelNames: ['model', 'version', 'code'],
    registers,
  });
  const batchRows = new Histogram({
    name: 'sluice_model_batch_rows',
    help: 'Rows per batch the model ran (dynamic batching), by model and version',
    labelNames: ['model', 'version'],
    buckets: [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    registers,
  });
  const batchSeconds = new Histogram({
    name: 'sluice_model_batch_duration_seconds',
    help: 'Model compute time per batch, by model and version',
    labelNames: ['model', 'version'],
    buckets: [0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5],
    registers,
  });
  const loadedVersions = new Gauge({
    name: 'sluice_model_loaded',
    help: '1 while a model version is loaded for serving',
    labelNames: ['model', 'version'],
    registers,
  });
  return {
    request(model, version, status, seconds, rows) {
      requests.inc({ model, version, status: String(status) });
      latency.observe({ model, version }, seconds);
      if (rows > 0) rowsTotal.inc({ model, version }, rows);
    },
    error(model, version, code) {
      errors.inc({ model, version, code });
    },
    batch(model, version, rows, seconds) {
      batchRows.observe({ model, version }, rows);
      batchSeconds.observe({ model, version }, seconds);
    },
    loaded(model, version, loaded) {
      if (loaded) loadedVersions.set({ model, version }, 1);
      else loadedVersions.remove({ model, version });
    },
  };
}
