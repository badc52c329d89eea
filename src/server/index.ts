export { localRunsApi } from './runs-api.js';
export type { RunDetail, RunsApi } from './runs-api.js';
export { httpStatusFor, startControlServer } from './control-server.js';
