/** SQL for registered pipelines: immutable versions; deleting marks every version deleted. */
import type { PipelineRecord } from '../repo-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, toDateOrNull, withoutNul } from './rows.js';

/** A `pipelines` row as a {@link PipelineRecord}. */
export function toPipeline(row: Record<string, unknown>): PipelineRecord {
  return {
    name: String(row.name),
    version: Number(row.version),
    pipelineVersion: String(row.pipeline_version),
    specFile: (row.spec_file as string | null) ?? null,
    spec: row.spec,
    inputRepos: row.input_repos as string[],
    createdAt: toDate(row.created_at),
    deletedAt: toDateOrNull(row.deleted_at),
  };
}

export async function addPipelineVersion(
  client: SqlClient,
  record: Omit<PipelineRecord, 'version' | 'createdAt' | 'deletedAt'>,
): Promise<PipelineRecord> {
  return client.transaction(async (tx) => {
    const { rows: last } = await tx.query(
      'SELECT coalesce(max(version), 0) AS version FROM pipelines WHERE name = $1',
      [record.name],
    );
    const version = Number(last[0]?.version ?? 0) + 1;
    // A pipeline created again after `delete` continues its version numbers.
    await tx.query('UPDATE pipelines SET deleted_at = NULL WHERE name = $1', [record.name]);
    const { rows } = await tx.query(
      `INSERT INTO pipelines (name, version, pipeline_version, spec_file, spec, input_repos, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, now()) RETURNING *`,
      [
        record.name,
        version,
        record.pipelineVersion,
        record.specFile,
        withoutNul(JSON.stringify(record.spec)),
        JSON.stringify(record.inputRepos),
      ],
    );
    return toPipeline(rows[0] as Record<string, unknown>);
  });
}

export async function getPipeline(client: SqlClient, name: string): Promise<PipelineRecord | undefined> {
  const { rows } = await client.query(
    'SELECT * FROM pipelines WHERE name = $1 AND deleted_at IS NULL ORDER BY version DESC LIMIT 1',
    [name],
  );
  return rows[0] ? toPipeline(rows[0]) : undefined;
}

export async function listPipelines(client: SqlClient): Promise<PipelineRecord[]> {
  const { rows } = await client.query(
    'SELECT DISTINCT ON (name) * FROM pipelines WHERE deleted_at IS NULL ORDER BY name, version DESC',
  );
  return rows.map(toPipeline);
}

export async function deletePipeline(client: SqlClient, name: string): Promise<boolean> {
  const { rows } = await client.query(
    'UPDATE pipelines SET deleted_at = now() WHERE name = $1 AND deleted_at IS NULL RETURNING name',
    [name],
  );
  return rows.length > 0;
}
