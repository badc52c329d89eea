// The clustering metrics live in Sluice (the model server scores online k-means updates with
// them); the example's steps use the same functions.
export * from '../../../src/ml/cluster-metrics.js';
