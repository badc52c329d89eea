/** Training batches and the array bundle format datapoints and batches are stored in. */
export { decodeArrays, encodeArrays, dtypeOf } from './arrays.js';
export type { ArrayBundle, Dtype, NdArray, TypedArray } from './arrays.js';
export { batches, openBatches, BatchSession } from './client.js';
export type { Batch, BatchesOptions, BatchSource } from './client.js';
export { Permutation } from './permutation.js';
