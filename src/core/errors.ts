/**
 * The one error type of Sluice. Every failure a user can see carries a stable `code` from
 * {@link ERROR_CODES}; the CLI maps codes to exit codes and the server to HTTP statuses,
 * each in one table.
 */

/** Every error code, with what it means. Codes are part of the public contract. */
export const ERROR_CODES = {
  // Spec: parsing and static checks (`sluice validate`).
  SPEC_FILE: 'a pipeline file cannot be read',
  SPEC_YAML: 'the YAML is malformed',
  SPEC_YAML_HAZARD: 'the YAML is unsafe: too large, too deep, alias bomb or duplicate keys',
  SPEC_UNKNOWN_KEY: 'a key is not allowed at this place',
  SPEC_TYPE: 'a value has the wrong type or form',
  SPEC_REQUIRED: 'a required key is missing',
  SPEC_DUPLICATE_NAME: 'two params, inputs or step outputs share a name',
  SPEC_CYCLE: 'steps depend on each other in a cycle',
  SPEC_MISSING_INPUT: 'a step input is produced by nothing',
  SPEC_UNREACHABLE_OUTPUT: 'a desired output cannot be produced',
  SPEC_MODULE_NOT_FOUND: 'a TS step module does not exist',
  SPEC_PROGRAM_NOT_FOUND: 'a command step program does not exist',
  SPEC_NOT_PER_DATUM: "'name[]' gathers a value that is not per-datum",
  SPEC_DATUM_CONFLICT: 'a step consumes per-datum values of different origins',
  SPEC_SCATTER: "'name[]' output on a step that already runs per datum",
  // Params.
  PARAM_MISSING: 'a required run parameter was not given',
  PARAM_TYPE: 'a run parameter has the wrong type',
  PARAM_UNKNOWN: 'a run parameter is not declared by the pipeline',
  // Runs and steps.
  RUN_NOT_FOUND: 'no run has this id',
  RUN_FAILED: 'a run ended without its desired outputs',
  RUN_CANCELLED: 'a run was cancelled',
  STEP_FAILED: 'a step attempt failed',
  STEP_TIMEOUT: 'a step attempt exceeded its timeout and was killed',
  STEP_CRASHED: 'a step worker or process died',
  STEP_OUTPUT: 'a step returned outputs that do not match its declaration',
  REPO_NOT_FOUND: 'a data input names a repo that does not exist',
  INVALID_PATH: 'a path is not a safe path inside a repo',
  INVALID_GLOB: 'a glob pattern is malformed',
  // Versioned data and registered pipelines.
  REPO_EXISTS: 'a repo with this name already exists',
  BRANCH_NOT_FOUND: 'a repo has no branch of this name',
  COMMIT_NOT_FOUND: 'a repo has no commit with this id',
  PATH_NOT_FOUND: 'a commit has no file or folder at this path',
  OUTPUT_CONFLICT: 'two datums wrote different contents to one output path',
  PIPELINE_NOT_FOUND: 'no pipeline of this name was created',
  DATUM_NOT_FOUND: 'a run has no datum with this key',
  // Tracking: model registry and tables.
  MODEL_NOT_FOUND: 'no model, version or alias matches this reference',
  MODEL_ALIASED: 'a model version has aliases and cannot be removed without force',
  MODEL_MANIFEST: "a model version's serving manifest (sluice-model.json) is missing or malformed",
  MODEL_UNSUPPORTED: "a model version's flavour cannot do what was asked (e.g. learn online)",
  MODEL_OVERLOADED: 'a served model has more requests waiting than its queue holds',
  SPEC_UNDECLARED_TABLE: 'a step writes a table the pipeline does not declare',
  TABLE_NOT_FOUND: 'no table of this name exists',
  TABLE_ROW: 'a table row does not match the declared columns',
  TABLE_SCHEMA: "a table's declared columns conflict with the existing table",
  // Topics.
  TOPIC_NOT_FOUND: 'no topic of this name exists',
  TOPIC_EXISTS: 'a topic with this name already exists',
  TOPIC_GROUP_NOT_FOUND: 'a topic has no consumer group of this name',
  TOPIC_UNAVAILABLE: 'the topic backend (NATS JetStream) cannot be reached or refused a request',
  MESSAGE_INVALID: 'a message to produce is malformed',
  // Training batches.
  BAD_ARRAYS: 'an array bundle (a datapoint or batch file) is malformed',
  BATCHES_FAILED: 'a training batch could not be loaded',
  // HTTP API.
  UNAUTHORIZED: 'an API request has no valid token',
  FORBIDDEN: "an API token's role does not allow this request",
  TOKEN_NOT_FOUND: 'no API token has this id',
  INVALID_REQUEST: 'an API request body, query or path parameter is malformed',
  ROUTE_NOT_FOUND: 'no API route has this method and path',
  PAYLOAD_TOO_LARGE: 'an API request body exceeds the size limit',
  SERVER_UNREACHABLE: 'the Sluice server (SLUICE_URL) cannot be reached',
  // Store and environment.
  STORE_LOCKED: 'the data directory is in use by another process',
  STORE: 'the metadata store failed',
  OBJECT_CORRUPT: 'a stored object does not match its hash',
  USAGE: 'the command line is wrong',
  IO: 'a file could not be read or written',
  INTERNAL: 'a bug in Sluice',
} as const;

/** A stable error code; see {@link ERROR_CODES}. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** Options of {@link SluiceError}. */
export interface SluiceErrorOptions {
  details?: Record<string, unknown>;
  cause?: unknown;
}

/**
 * An error with a stable code, a message that says where, what was found and what is
 * allowed, and optional machine-readable details.
 *
 * @example
 * throw new SluiceError('PARAM_MISSING', "param 'page_num' is required (type integer)");
 */
export class SluiceError extends Error {
  override readonly name: string = 'SluiceError';
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;

  constructor(code: ErrorCode, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
  }

  /** The JSON shape errors take on the wire and in `--json` output. */
  toJSON(): { code: ErrorCode; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/** Where in a source file a problem was found (1-based line and column). */
export interface SourceLocation {
  file: string;
  line: number;
  column: number;
}

/** One problem found in a pipeline spec. */
export interface SpecProblem extends SourceLocation {
  code: ErrorCode;
  message: string;
  /** The path of keys to the offending value, e.g. `['steps', 'train', 'gpus']`. */
  path: (string | number)[];
}

/** Formats a problem as `file:line:column message [CODE]`. */
export function formatProblem(problem: SpecProblem): string {
  return `${problem.file}:${problem.line}:${problem.column} ${problem.message} [${problem.code}]`;
}

/** A spec that failed its checks; carries every problem found, not only the first. */
export class SpecError extends SluiceError {
  override readonly name = 'SpecError';
  readonly problems: SpecProblem[];

  constructor(problems: SpecProblem[]) {
    const first = problems[0];
    const more = problems.length > 1 ? ` (and ${problems.length - 1} more)` : '';
    super(first?.code ?? 'SPEC_TYPE', first ? `${formatProblem(first)}${more}` : 'invalid spec', {
      details: { problems },
    });
    this.problems = problems;
  }
}

/** Turns anything thrown into a {@link SluiceError}, keeping the original as `cause`. */
export function toSluiceError(error: unknown): SluiceError {
  if (error instanceof SluiceError) return error;
  if (error instanceof Error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) {
      return new SluiceError('IO', error.message, { cause: error });
    }
    return new SluiceError('INTERNAL', error.message, { cause: error });
  }
  return new SluiceError('INTERNAL', String(error));
}
