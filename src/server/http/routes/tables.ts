/**
 * User tables that steps write: list, describe, page through rows, export as CSV or JSON
 * (streamed, every matching row).
 */
import { createRoute, z } from '@hono/zod-openapi';
import { stream } from 'hono/streaming';
import { SluiceError } from '../../../core/index.js';
import { Tables } from '../../../tracking/index.js';
import type { ApiApp } from '../app.js';
import type { ApiDeps } from '../deps.js';
import { ok } from '../respond.js';
import { errorResponses, intQuery, jsonContent, pathParam } from '../schemas.js';

const Name = z.object({ name: pathParam('name', 'table name') });
const TableSchema = z.record(z.string(), z.unknown()).openapi('Table');
const filters = {
  runId: z.string().optional().openapi({ description: 'only rows written by this run' }),
  where: z
    .string()
    .optional()
    .openapi({ description: 'JSON object of column = value filters', example: '{"sensor":"s1"}' }),
};

function parseWhere(text: string | undefined): Record<string, unknown> | undefined {
  if (text === undefined) return undefined;
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new SluiceError('INVALID_REQUEST', 'query.where: expected a JSON object like {"column":"value"}');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new SluiceError('INVALID_REQUEST', 'query.where: expected a JSON object like {"column":"value"}');
  return value as Record<string, unknown>;
}

const routes = {
  list: createRoute({
    method: 'get',
    path: '/api/tables',
    tags: ['tables'],
    summary: 'Tables written by steps, with their columns',
    responses: { 200: jsonContent(z.array(TableSchema), 'tables') },
  }),
  describe: createRoute({
    method: 'get',
    path: '/api/tables/{name}',
    tags: ['tables'],
    summary: "A table's columns and row count",
    request: { params: Name },
    responses: { 200: jsonContent(TableSchema, 'the table'), ...errorResponses(404) },
  }),
  rows: createRoute({
    method: 'get',
    path: '/api/tables/{name}/rows',
    tags: ['tables'],
    summary: 'A page of rows',
    request: {
      params: Name,
      query: z.object({
        limit: intQuery('limit', 'rows (default 100, at most 10000)', 10_000),
        offset: intQuery('offset', 'rows to skip', Number.MAX_SAFE_INTEGER),
        ...filters,
      }),
    },
    responses: {
      200: jsonContent(z.array(z.record(z.string(), z.unknown())), 'rows'),
      ...errorResponses(400, 404),
    },
  }),
  export: createRoute({
    method: 'get',
    path: '/api/tables/{name}/export',
    tags: ['tables'],
    summary: 'Every matching row as CSV or a JSON array (streamed)',
    request: { params: Name, query: z.object({ format: z.enum(['csv', 'json']).optional(), ...filters }) },
    responses: {
      200: {
        content: { 'text/csv': { schema: z.string() }, 'application/json': { schema: z.string() } },
        description: 'rows',
      },
      ...errorResponses(400, 404),
    },
  }),
};

/** Registers the table routes. */
export function registerTableRoutes(app: ApiApp, deps: ApiDeps): void {
  const tables = deps.workspace.tables ?? new Tables(deps.workspace.store);
  app.openapi(routes.list, async (c) => ok(c, await tables.list()));
  app.openapi(routes.describe, async (c) => ok(c, await tables.describe(c.req.valid('param').name)));
  app.openapi(routes.rows, async (c) => {
    const query = c.req.valid('query');
    const where = parseWhere(query.where);
    const rows = await tables.rows(c.req.valid('param').name, {
      limit: query.limit ?? 100,
      offset: query.offset ?? 0,
      ...(where ? { where } : {}),
      ...(query.runId ? { runId: query.runId } : {}),
    });
    return ok(c, rows);
  });
  app.openapi(routes.export, async (c) => {
    const { name } = c.req.valid('param');
    const query = c.req.valid('query');
    const where = parseWhere(query.where);
    const options = { ...(where ? { where } : {}), ...(query.runId ? { runId: query.runId } : {}) };
    await tables.describe(name);
    const format = query.format ?? 'csv';
    c.header('content-type', format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json');
    c.header('content-disposition', `attachment; filename="${name}.${format}"`);
    return stream(c, async (out) => {
      const sink = { write: (text: string) => out.write(text) };
      if (format === 'csv') await tables.exportCsv(name, sink, options);
      else await tables.exportJson(name, sink, options);
    }) as never;
  });
}
