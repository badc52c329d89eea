export { localRunsApi } from './runs-api.js';
export type { RunDetail, RunsApi } from './runs-api.js';
export { httpStatusFor, startControlServer } from './control-server.js';
// NOTE: the HTTP app (hono, zod-openapi, prom-client) is imported from './http/index.js' by
// the service only, so that plain CLI commands do not load it.
export {
  authModeFor,
  createApiToken,
  parseRole,
  revokeApiToken,
  roleAllows,
  TOKEN_ROLES,
} from './auth/index.js';
export { registerPipeline, inputRepos } from './pipelines.js';
export type { Registration } from './pipelines.js';
