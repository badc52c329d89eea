/**
 * The zod schemas of the API's bodies: what requests must look like (validated) and what
 * responses look like (documented in the OpenAPI document). Dates travel as ISO strings.
 */
import { z } from '@hono/zod-openapi';

const date = z.string().openapi({ format: 'date-time', example: '2026-01-01T16:00:00.000Z' });
const nullableDate = date.nullable();
const json = z.record(z.string(), z.unknown());

/** Every error: `{ code, message, details }`. */
export const ErrorSchema = z
  .object({
    code: z.string().openapi({ example: 'RUN_NOT_FOUND' }),
    message: z.string(),
    details: json,
  })
  .openapi('Error');

export const StoredErrorSchema = z
  .object({ code: z.string(), message: z.string(), details: json.optional() })
  .nullable();

export const RunStatusSchema = z.enum([
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'interrupted',
]);

export const ProvenanceInputSchema = z
  .object({ input: z.string(), repo: z.string(), branch: z.string(), commit: z.string() })
  .openapi('ProvenanceInput');

export const RunSchema = z
  .object({
    id: z.string(),
    pipeline: z.string(),
    pipelineVersion: z.string(),
    specFile: z.string().nullable(),
    params: json,
    status: RunStatusSchema,
    desiredOutputs: z.array(z.string()),
    outputs: json.nullable(),
    error: StoredErrorSchema,
    pid: z.number().nullable(),
    createdAt: date,
    startedAt: nullableDate,
    finishedAt: nullableDate,
    inputCommits: z.array(ProvenanceInputSchema),
    outputCommit: z.string().nullable(),
    trigger: json.nullable(),
  })
  .openapi('Run');

export const TaskSchema = z
  .object({
    runId: z.string(),
    step: z.string(),
    datum: z.string(),
    status: z.string(),
    execKey: z.string().nullable(),
    attempts: z.number(),
    error: StoredErrorSchema,
    startedAt: nullableDate,
    finishedAt: nullableDate,
  })
  .openapi('Task');

export const AttemptSchema = z
  .object({
    runId: z.string(),
    step: z.string(),
    datum: z.string(),
    attempt: z.number(),
    status: z.string(),
    error: StoredErrorSchema,
    startedAt: date,
    finishedAt: nullableDate,
  })
  .openapi('Attempt');

export const MetricSchema = z
  .object({
    runId: z.string(),
    step: z.string(),
    datum: z.string(),
    key: z.string(),
    value: z.number(),
    index: z.number().nullable(),
    time: date,
  })
  .openapi('Metric');

export const LogSchema = z
  .object({
    runId: z.string(),
    seq: z.number(),
    step: z.string(),
    datum: z.string(),
    attempt: z.number(),
    stream: z.enum(['stdout', 'stderr', 'log', 'engine']),
    time: date,
    line: z.string(),
  })
  .openapi('LogLine');

export const RunDetailSchema = z
  .object({
    run: RunSchema,
    tasks: z.array(TaskSchema),
    attempts: z.array(AttemptSchema),
    metrics: z.array(MetricSchema),
  })
  .openapi('RunDetail');

export const PipelineSchema = z
  .object({
    name: z.string(),
    version: z.number(),
    pipelineVersion: z.string(),
    specFile: z.string().nullable(),
    spec: z.unknown(),
    inputRepos: z.array(z.string()),
    createdAt: date,
    deletedAt: nullableDate,
  })
  .openapi('Pipeline');

export const RepoSchema = z
  .object({ name: z.string(), description: z.string(), createdAt: date })
  .openapi('Repo');

export const BranchSchema = z
  .object({ repo: z.string(), name: z.string(), head: z.string().nullable(), createdAt: date })
  .openapi('Branch');

export const CommitSchema = z
  .object({
    id: z.string(),
    repo: z.string(),
    branch: z.string(),
    seq: z.number(),
    parent: z.string().nullable(),
    message: z.string(),
    fileCount: z.number(),
    bytes: z.number(),
    added: z.number(),
    changed: z.number(),
    removed: z.number(),
    provenance: json.nullable(),
    createdAt: date,
  })
  .openapi('Commit');

export const FileEntrySchema = z
  .object({ path: z.string(), hash: z.string(), size: z.number() })
  .openapi('FileEntry');

export const ListEntrySchema = z
  .object({
    path: z.string(),
    type: z.enum(['file', 'dir']),
    size: z.number(),
    files: z.number(),
    hash: z.string().optional(),
  })
  .openapi('ListEntry');

export const FileDiffSchema = z
  .object({ path: z.string(), before: FileEntrySchema.nullable(), after: FileEntrySchema.nullable() })
  .openapi('FileDiff');

export const TokenSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    role: z.enum(['viewer', 'editor', 'admin']),
    createdAt: date,
    lastUsedAt: nullableDate,
    revokedAt: nullableDate,
  })
  .openapi('Token');

/** A path parameter: `name` with a description for the document. */
export function pathParam(name: string, description: string): z.ZodString {
  return z
    .string()
    .min(1)
    .openapi({ param: { name, in: 'path' }, description });
}

/** An optional positive integer query parameter. */
export function intQuery(
  name: string,
  description: string,
  max = 100_000,
): z.ZodOptional<z.ZodCoercedNumber> {
  return z.coerce
    .number()
    .int()
    .min(0)
    .max(max)
    .optional()
    .openapi({ param: { name, in: 'query' }, description }) as unknown as z.ZodOptional<z.ZodCoercedNumber>;
}

/** JSON response content for a schema. */
export function jsonContent<T extends z.ZodType>(
  schema: T,
  description: string,
): { content: { 'application/json': { schema: T } }; description: string } {
  return { content: { 'application/json': { schema } }, description };
}

/** The error responses a route documents, by status. */
export function errorResponses(
  ...statuses: (400 | 401 | 403 | 404 | 409 | 413)[]
): Record<number, { content: { 'application/json': { schema: typeof ErrorSchema } }; description: string }> {
  const text: Record<number, string> = {
    400: 'invalid request (code names the problem, message the field)',
    401: 'no or invalid API token',
    403: "the token's role does not allow this",
    404: 'not found',
    409: 'conflict: exists already or in the wrong state',
    413: 'body too large',
  };
  const out: Record<
    number,
    { content: { 'application/json': { schema: typeof ErrorSchema } }; description: string }
  > = {};
  for (const status of [401, 403, ...statuses])
    out[status] = jsonContent(ErrorSchema, text[status] ?? 'error');
  return out;
}
