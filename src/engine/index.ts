export { createEngine, stepVersion } from './engine.js';
export type { Engine, EngineOptions, RunHandle, RunOptions } from './engine.js';
export type { RunEvent, RunEventListener } from './events.js';
export type { MissingOutput } from './explain.js';
