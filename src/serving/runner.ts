/**
 * The interface every flavour's runner implements: a batch of `n` rows in, `width` outputs
 * per row out. TF.js and ONNX run in worker threads (`thread-runner.ts`); models stored as
 * JSON parameters (`json-models.ts`) compute in microseconds and run inline.
 */

/**
 * Rows of values: float32 for TF.js and ONNX tensors, float64 for models stored as JSON
 * parameters (their inputs keep full precision before scaling).
 */
export type Values = Float32Array | Float64Array;

/** What a runner returns for a batch: `width` values per row, rows one after another. */
export interface RunnerOutput {
  output: Values;
  width: number;
}

/** A loaded model version. */
export interface ModelRunner {
  /** Runs `n` rows (`input` holds them one after another; it may be transferred). */
  run(input: Values, n: number): Promise<RunnerOutput>;
  /** Unloads the model. */
  close(): Promise<void>;
}
