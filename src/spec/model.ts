/**
 * The compiled pipeline model: what the YAML loader and the TypeScript builder both produce
 * once a spec has passed every check, and the only form the engine reads.
 *
 * Names are resolved, durations are milliseconds, module paths are absolute, and defaults
 * are filled in, so nothing downstream re-interprets the raw spec.
 */

/** The type of a run parameter. */
export type ParamType = 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'model';

/** The type of a table column (`tables:` in the spec). */
export type ColumnType = 'text' | 'integer' | 'bigint' | 'double' | 'boolean' | 'timestamp' | 'json';

/**
 * A table steps write rows to (schema `sluice_tables`), created on first use; its rows get
 * metadata columns `_run_id`, `_step`, `_datum`, `_exec_key`, `_row`, `_created_at`.
 */
export interface TableSpec {
  name: string;
  /** Column name -> type, in spec order. */
  columns: Record<string, ColumnType>;
  description?: string;
}

/** A declared run parameter. A param without `default` is required. */
export interface ParamSpec {
  name: string;
  type: ParamType;
  default?: unknown;
  description?: string;
  /** Allowed values, when the param is an enumeration. */
  enum?: unknown[];
}

/** A versioned-data input read from one repo, split into datums by a glob. */
export interface RepoInputSpec {
  kind: 'repo';
  /** The input's name, or its member name (its folder in the datum) inside a combined input. */
  name: string;
  repo: string;
  glob: string;
  branch: string;
  /** In a `join`: the template (`$1`, `$1-$2`) of glob captures that must be equal across members. */
  joinOn?: string;
  /** In a `group`: the template of glob captures whose equal values form one datum. */
  groupBy?: string;
  /** In a `join`: also yield this member's datums that have no partner. */
  outerJoin: boolean;
}

/**
 * Data inputs combined like Pachyderm's: `cross` (cartesian product of the members'
 * datums), `union` (all members' datums, side by side), `join` (datums whose `joinOn`
 * values are equal, crossed) and `group` (datums with equal `groupBy` values, as one).
 */
export interface CombinedInputSpec {
  kind: 'cross' | 'union' | 'join' | 'group';
  name: string;
  /** The members, in spec order; each member's name is its folder inside a datum. */
  inputs: DataInputSpec[];
}

/** A versioned-data input: one repo, or a combination of inputs. */
export type DataInputSpec = RepoInputSpec | CombinedInputSpec;

/**
 * A stream input: a run consumes batches of messages from a topic as consumer group
 * `group`, each batch one datum, until no message came for `timeoutMs` (or the ms in the
 * named param). A batch's messages are acked once the datum's outputs are committed.
 */
export interface TopicInputSpec {
  kind: 'topic';
  name: string;
  topic: string;
  group: string;
  batch: number;
  timeoutMs: number | { param: string };
  /** How long a batch waits to fill up. */
  waitMs: number;
  /** Where a new group starts. */
  start: 'earliest' | 'latest';
  description?: string;
}

/** How a step runs. */
export type StepRun =
  /** A TS/JS module whose export (default: `default`) is the step function. */
  | { kind: 'ts'; module: string; export: string }
  /** Any program, following the command contract; `cwd`-relative args resolve in `dir`. */
  | { kind: 'command'; command: string[]; env: Record<string, string> };

/** One name a step reads. `gather` is the `name[]` form: all datums of a per-datum value. */
export interface StepInput {
  name: string;
  gather: boolean;
}

/** One name a step writes. `scatter` is the `name[]` form: each array element is a datum. */
export interface StepOutput {
  name: string;
  scatter: boolean;
}

/** A compiled step. */
export interface StepSpec {
  name: string;
  run: StepRun;
  inputs: StepInput[];
  outputs: StepOutput[];
  /** Concurrent datums of this step; at least 1. */
  parallelism: number;
  /** Extra attempts after a failure. */
  retries: number;
  /** First retry delay in ms; doubles each further attempt (capped at `retryMaxDelayMs`). */
  retryDelayMs: number;
  retryMaxDelayMs: number;
  /** Per-attempt timeout in ms; `undefined` means none. */
  timeoutMs: number | undefined;
  /** Reuse a stored result whose execution key matches (default true). */
  cache: boolean;
  /** Free-form description shown by the CLI and UI. */
  description?: string;
  /** The tables (declared by the pipeline) this step writes rows to. */
  tables: string[];
  /** Topics the step may publish messages to itself (`ctx.publish`, `$SLUICE_TOPICS`). */
  topics: string[];
  /** Output name -> topic its values are published to. */
  publish: Record<string, string>;
}

/** A trigger; only declared by [core], acted on by the long-running service. */
export type TriggerSpec =
  | { kind: 'commit'; repo: string }
  | { kind: 'cron'; cron: string; tz?: string; catchup: CatchUpPolicy }
  /** Starts once every listed pipeline has succeeded since this pipeline's last such run. */
  | { kind: 'after'; pipelines: string[] }
  /** Starts a run when a stream input's topic has messages its group has not acked. */
  | { kind: 'topic'; topic: string };

/** What a cron trigger does with ticks missed while no service ran: see the README. */
export type CatchUpPolicy = 'latest' | 'all' | 'none';

/** Where a named value comes from, and whether it is per-datum. */
export interface ValueSpec {
  name: string;
  /** `param`, `input` (versioned data) or the name of the step that outputs it. */
  producer: string;
  kind: 'param' | 'input' | 'step';
  /**
   * For a per-datum value, the name of the value whose datums it follows: a data input,
   * or a step output declared `name[]` (scatter). `null` for a value that exists once.
   */
  origin: string | null;
}

/** A pipeline that passed every static check. */
export interface Pipeline {
  name: string;
  description?: string;
  /** Absolute path of the spec file, or `undefined` for a pipeline built in code. */
  file: string | undefined;
  /** Directory that relative module and program paths resolve against. */
  dir: string;
  params: Record<string, ParamSpec>;
  inputs: Record<string, DataInputSpec>;
  /** Stream inputs (topics), by name; their values are per-datum like data inputs'. */
  streams: Record<string, TopicInputSpec>;
  /** Every named value (params, data inputs, step outputs of kept steps). */
  values: Record<string, ValueSpec>;
  /** Steps that contribute to the desired outputs, in a topological order. */
  steps: Record<string, StepSpec>;
  /** The names a run must produce. */
  outputs: string[];
  /** Steps removed because they cannot contribute to the desired outputs. */
  pruned: string[];
  triggers: TriggerSpec[];
  /** Tables steps write rows to, by name. */
  tables: Record<string, TableSpec>;
  /** Runs of this pipeline at once, and the service pool they take slots of. */
  concurrency: { maxActiveRuns?: number; pool?: string };
}
