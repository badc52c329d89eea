export {
  TOKEN_ROLES,
  TokenVerifier,
  authModeFor,
  createApiToken,
  isLoopback,
  parseRole,
  revokeApiToken,
  roleAllows,
} from './tokens.js';
