/** SQL for the model registry: models, immutable numbered versions, aliases, retention. */
import type { ModelAliasRecord, ModelRecord, ModelVersionRecord } from '../tracking-records.js';
import type { ProvenanceInput } from '../repo-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, withoutNul } from './rows.js';

function toModel(row: Record<string, unknown>): ModelRecord {
  return {
    name: String(row.name),
    keepLast: row.keep_last === null || row.keep_last === undefined ? null : Number(row.keep_last),
    keepAliased: Boolean(row.keep_aliased),
    createdAt: toDate(row.created_at),
  };
}

function toVersion(row: Record<string, unknown>): ModelVersionRecord {
  const text = (value: unknown): string | null =>
    value === null || value === undefined ? null : String(value);
  return {
    name: String(row.name),
    version: Number(row.version),
    files: row.files as ModelVersionRecord['files'],
    contentHash: String(row.content_hash),
    metrics: row.metrics as Record<string, number>,
    params: row.params as Record<string, unknown>,
    runId: text(row.run_id),
    step: text(row.step),
    datum: text(row.datum),
    pipeline: text(row.pipeline),
    pipelineVersion: text(row.pipeline_version),
    inputCommits: row.input_commits as ProvenanceInput[],
    createdAt: toDate(row.created_at),
  };
}

export async function getModel(client: SqlClient, name: string): Promise<ModelRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM models WHERE name = $1', [name]);
  return rows[0] ? toModel(rows[0]) : undefined;
}

export async function listModels(
  client: SqlClient,
): Promise<(ModelRecord & { versions: number; latest: number | null })[]> {
  const { rows } = await client.query(
    `SELECT m.*, count(v.version) AS versions, max(v.version) AS latest
     FROM models m LEFT JOIN model_versions v ON v.name = m.name
     GROUP BY m.name ORDER BY m.name`,
  );
  return rows.map((row) => ({
    ...toModel(row),
    versions: Number(row.versions),
    latest: row.latest === null ? null : Number(row.latest),
  }));
}

export async function addModelVersion(
  client: SqlClient,
  record: Omit<ModelVersionRecord, 'version' | 'createdAt'>,
  dedupe: boolean,
): Promise<ModelVersionRecord> {
  return client.transaction(async (tx) => {
    if (dedupe && record.runId !== null) {
      const { rows } = await tx.query(
        `SELECT * FROM model_versions WHERE run_id = $1 AND step = $2 AND datum = $3 AND name = $4
         AND content_hash = $5 ORDER BY version LIMIT 1`,
        [record.runId, record.step, record.datum, record.name, record.contentHash],
      );
      if (rows[0]) return toVersion(rows[0]);
    }
    // NOTE: the counter row is locked by the UPDATE, so concurrent saves get distinct numbers.
    await tx.query('INSERT INTO models (name, created_at) VALUES ($1, now()) ON CONFLICT (name) DO NOTHING', [
      record.name,
    ]);
    const { rows: counter } = await tx.query(
      'UPDATE models SET next_version = next_version + 1 WHERE name = $1 RETURNING next_version - 1 AS version',
      [record.name],
    );
    const version = Number(counter[0]?.version);
    const { rows } = await tx.query(
      `INSERT INTO model_versions (name, version, files, content_hash, metrics, params, run_id, step,
         datum, pipeline, pipeline_version, input_commits, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now()) RETURNING *`,
      [
        record.name,
        version,
        withoutNul(JSON.stringify(record.files)),
        record.contentHash,
        JSON.stringify(record.metrics),
        withoutNul(JSON.stringify(record.params)),
        record.runId,
        record.step,
        record.datum,
        record.pipeline,
        record.pipelineVersion,
        JSON.stringify(record.inputCommits),
      ],
    );
    return toVersion(rows[0] as Record<string, unknown>);
  });
}

export async function getModelVersion(
  client: SqlClient,
  name: string,
  version: number,
): Promise<ModelVersionRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM model_versions WHERE name = $1 AND version = $2', [
    name,
    version,
  ]);
  return rows[0] ? toVersion(rows[0]) : undefined;
}

export async function listModelVersions(client: SqlClient, name: string): Promise<ModelVersionRecord[]> {
  const { rows } = await client.query('SELECT * FROM model_versions WHERE name = $1 ORDER BY version DESC', [
    name,
  ]);
  return rows.map(toVersion);
}

export async function listAliases(client: SqlClient, name: string): Promise<ModelAliasRecord[]> {
  const { rows } = await client.query('SELECT * FROM model_aliases WHERE name = $1 ORDER BY alias', [name]);
  return rows.map((row) => ({
    name: String(row.name),
    alias: String(row.alias),
    version: Number(row.version),
    updatedAt: toDate(row.updated_at),
  }));
}

export async function setAlias(
  client: SqlClient,
  name: string,
  alias: string,
  version: number,
): Promise<void> {
  await client.query(
    `INSERT INTO model_aliases (name, alias, version, updated_at) VALUES ($1, $2, $3, now())
     ON CONFLICT (name, alias) DO UPDATE SET version = EXCLUDED.version, updated_at = EXCLUDED.updated_at`,
    [name, alias, version],
  );
}

export async function removeAlias(client: SqlClient, name: string, alias: string): Promise<boolean> {
  const { rows } = await client.query(
    'DELETE FROM model_aliases WHERE name = $1 AND alias = $2 RETURNING alias',
    [name, alias],
  );
  return rows.length > 0;
}

export async function deleteModelVersions(
  client: SqlClient,
  name: string,
  versions: number[],
): Promise<number> {
  if (versions.length === 0) return 0;
  const { rows } = await client.query(
    'DELETE FROM model_versions WHERE name = $1 AND version = ANY($2::integer[]) RETURNING version',
    [name, versions],
  );
  return rows.length;
}

export async function setRetention(
  client: SqlClient,
  name: string,
  keepLast: number | null,
  keepAliased: boolean,
): Promise<void> {
  await client.query('UPDATE models SET keep_last = $2, keep_aliased = $3 WHERE name = $1', [
    name,
    keepLast,
    keepAliased,
  ]);
}
