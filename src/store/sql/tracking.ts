/**
 * SQL for params and artifacts steps log, and the {@link TrackingStore} that gathers the
 * tracking queries (models, tables) over one client.
 */
import type { ArtifactRecord, LoggedParamRecord, TrackingStore } from '../tracking-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate, upsertRows } from './rows.js';
import * as models from './models.js';
import * as tables from './tables.js';

export async function logParams(client: SqlClient, records: LoggedParamRecord[]): Promise<void> {
  await upsertRows(
    client,
    'logged_params',
    { run_id: 'text', step: 'text', datum: 'text', key: 'text', value: 'json', time: 'timestamptz' },
    records.map((record) => ({
      run_id: record.runId,
      step: record.step,
      datum: record.datum,
      key: record.key,
      // NOTE: wrapped, so a logged `null` stays a JSON null rather than a missing value.
      value: { v: record.value ?? null },
      time: record.time,
    })),
    ['run_id', 'step', 'datum', 'key'],
    ['value', 'time'],
  );
}

export async function listParams(client: SqlClient, runId: string): Promise<LoggedParamRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM logged_params WHERE run_id = $1 ORDER BY step, datum, key',
    [runId],
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    key: String(row.key),
    value: (row.value as { v: unknown }).v,
    time: toDate(row.time),
  }));
}

export async function addArtifacts(client: SqlClient, records: ArtifactRecord[]): Promise<void> {
  await upsertRows(
    client,
    'artifacts',
    {
      run_id: 'text',
      step: 'text',
      datum: 'text',
      name: 'text',
      files: 'json',
      bytes: 'bigint',
      created_at: 'timestamptz',
    },
    records.map((record) => ({
      run_id: record.runId,
      step: record.step,
      datum: record.datum,
      name: record.name,
      files: record.files,
      bytes: record.bytes,
      created_at: record.createdAt,
    })),
    ['run_id', 'step', 'datum', 'name'],
    ['files', 'bytes', 'created_at'],
  );
}

export async function listArtifacts(client: SqlClient, runId: string): Promise<ArtifactRecord[]> {
  const { rows } = await client.query(
    'SELECT * FROM artifacts WHERE run_id = $1 ORDER BY step, datum, name',
    [runId],
  );
  return rows.map((row) => ({
    runId: String(row.run_id),
    step: String(row.step),
    datum: String(row.datum),
    name: String(row.name),
    files: row.files as ArtifactRecord['files'],
    bytes: Number(row.bytes),
    createdAt: toDate(row.created_at),
  }));
}

/** The tracking queries over `client`. */
export function trackingQueries(client: SqlClient): TrackingStore {
  return {
    getModel: (name) => models.getModel(client, name),
    listModels: () => models.listModels(client),
    addModelVersion: (record, dedupe) => models.addModelVersion(client, record, dedupe),
    getModelVersion: (name, version) => models.getModelVersion(client, name, version),
    listModelVersions: (name) => models.listModelVersions(client, name),
    listAliases: (name) => models.listAliases(client, name),
    setAlias: (name, alias, version) => models.setAlias(client, name, alias, version),
    removeAlias: (name, alias) => models.removeAlias(client, name, alias),
    deleteModelVersions: (name, versions) => models.deleteModelVersions(client, name, versions),
    setRetention: (name, keepLast, keepAliased) => models.setRetention(client, name, keepLast, keepAliased),
    logParams: (records) => logParams(client, records),
    listParams: (runId) => listParams(client, runId),
    addArtifacts: (records) => addArtifacts(client, records),
    listArtifacts: (runId) => listArtifacts(client, runId),
    tableColumns: (name) => tables.tableColumns(client, name),
    createOrExtendTable: (name, columns, existing) =>
      tables.createOrExtendTable(client, name, columns, existing),
    insertTableRows: (batches) => tables.insertTableRows(client, batches),
    listTables: () => tables.listTables(client),
    tableRows: (name, query) => tables.tableRows(client, name, query),
  };
}
