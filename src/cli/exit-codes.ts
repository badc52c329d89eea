/**
 * Exit codes of the `sluice` command, one per kind of failure, so scripts can tell a failed
 * run from a bad spec from a busy data directory.
 */
import type { ErrorCode } from '../core/index.js';

/** The exit codes, documented in the README's CLI reference. */
export const EXIT = {
  ok: 0,
  /** A run ended without its desired outputs. */
  runFailed: 1,
  /** Wrong command line. */
  usage: 2,
  /** The spec or the params are invalid. */
  invalid: 3,
  /** The data directory is held by another process. */
  locked: 4,
  /** A run, repo, branch, commit, path, pipeline or datum named on the command line does not exist. */
  notFound: 5,
  /** What the command would create already exists (a repo, a pipeline). */
  conflict: 6,
  /** A bug, a store or an I/O failure. */
  internal: 70,
  /** The run was cancelled (Ctrl-C or `sluice cancel`), as shells report SIGINT. */
  cancelled: 130,
} as const;

const BY_CODE: Record<ErrorCode, number> = {
  SPEC_FILE: EXIT.invalid,
  SPEC_YAML: EXIT.invalid,
  SPEC_YAML_HAZARD: EXIT.invalid,
  SPEC_UNKNOWN_KEY: EXIT.invalid,
  SPEC_TYPE: EXIT.invalid,
  SPEC_REQUIRED: EXIT.invalid,
  SPEC_DUPLICATE_NAME: EXIT.invalid,
  SPEC_CYCLE: EXIT.invalid,
  SPEC_MISSING_INPUT: EXIT.invalid,
  SPEC_UNREACHABLE_OUTPUT: EXIT.invalid,
  SPEC_MODULE_NOT_FOUND: EXIT.invalid,
  SPEC_PROGRAM_NOT_FOUND: EXIT.invalid,
  SPEC_NOT_PER_DATUM: EXIT.invalid,
  SPEC_DATUM_CONFLICT: EXIT.invalid,
  SPEC_SCATTER: EXIT.invalid,
  PARAM_MISSING: EXIT.invalid,
  PARAM_TYPE: EXIT.invalid,
  PARAM_UNKNOWN: EXIT.invalid,
  RUN_NOT_FOUND: EXIT.notFound,
  RUN_FAILED: EXIT.runFailed,
  RUN_CANCELLED: EXIT.cancelled,
  STEP_FAILED: EXIT.runFailed,
  STEP_TIMEOUT: EXIT.runFailed,
  STEP_CRASHED: EXIT.runFailed,
  STEP_OUTPUT: EXIT.runFailed,
  REPO_NOT_FOUND: EXIT.notFound,
  INVALID_PATH: EXIT.usage,
  INVALID_GLOB: EXIT.invalid,
  REPO_EXISTS: EXIT.conflict,
  BRANCH_NOT_FOUND: EXIT.notFound,
  COMMIT_NOT_FOUND: EXIT.notFound,
  PATH_NOT_FOUND: EXIT.notFound,
  OUTPUT_CONFLICT: EXIT.runFailed,
  PIPELINE_NOT_FOUND: EXIT.notFound,
  DATUM_NOT_FOUND: EXIT.notFound,
  MODEL_NOT_FOUND: EXIT.notFound,
  MODEL_ALIASED: EXIT.conflict,
  MODEL_MANIFEST: EXIT.invalid,
  MODEL_UNSUPPORTED: EXIT.conflict,
  MODEL_OVERLOADED: EXIT.internal,
  SPEC_UNDECLARED_TABLE: EXIT.invalid,
  TABLE_NOT_FOUND: EXIT.notFound,
  TABLE_ROW: EXIT.runFailed,
  TABLE_SCHEMA: EXIT.invalid,
  TOPIC_NOT_FOUND: EXIT.notFound,
  TOPIC_EXISTS: EXIT.conflict,
  TOPIC_GROUP_NOT_FOUND: EXIT.notFound,
  TOPIC_UNAVAILABLE: EXIT.internal,
  MESSAGE_INVALID: EXIT.usage,
  BAD_ARRAYS: EXIT.invalid,
  BATCHES_FAILED: EXIT.runFailed,
  UNAUTHORIZED: EXIT.usage,
  FORBIDDEN: EXIT.usage,
  TOKEN_NOT_FOUND: EXIT.notFound,
  INVALID_REQUEST: EXIT.usage,
  ROUTE_NOT_FOUND: EXIT.notFound,
  PAYLOAD_TOO_LARGE: EXIT.usage,
  SERVER_UNREACHABLE: EXIT.locked,
  STORE_LOCKED: EXIT.locked,
  STORE: EXIT.internal,
  OBJECT_CORRUPT: EXIT.internal,
  USAGE: EXIT.usage,
  IO: EXIT.internal,
  INTERNAL: EXIT.internal,
};

/** The exit code for an error code. */
export function exitCodeFor(code: ErrorCode): number {
  return BY_CODE[code];
}
