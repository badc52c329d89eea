/**
 * Machine-learning helpers for steps. Importing this folder loads TF.js; nothing else in
 * Sluice imports it, so the core install stays lean.
 */
export { conv2DBackpropFilterWasm, initTfWasm } from './tfjs-wasm.js';
