export { ERROR_CODES, SluiceError, SpecError, formatProblem, toSluiceError } from './errors.js';
export type { ErrorCode, SluiceErrorOptions, SourceLocation, SpecProblem } from './errors.js';
export { canonicalJson, hashValue, sha256 } from './hash.js';
export { newId } from './ids.js';
export { fileLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { bundleModule } from './bundle.js';
export type { Bundle } from './bundle.js';
