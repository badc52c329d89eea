/**
 * Queries of batch indexes (migration 8): a commit's datapoint files under a path prefix,
 * numbered 0..n-1 in path order, so a sampler can look up datapoint `k` with one indexed
 * read instead of holding the listing. An index of an immutable commit never changes, so
 * it is built once and shared by every session that samples that commit.
 */
import { createHash } from 'node:crypto';
import type { CommitRecord } from '../repo-records.js';
import type { SqlClient } from '../sql-client.js';

export interface BatchIndexRecord {
  id: string;
  repo: string;
  commitId: string;
  prefix: string;
  suffix: string;
  count: number;
  createdAt: Date;
}

export interface BatchIndexEntry {
  ordinal: number;
  path: string;
  hash: string;
  size: number;
}

/** Indexes kept per repo, prefix and suffix; older ones are dropped when a new one is built. */
const KEEP_INDEXES = 3;

/** `text` as a LIKE pattern that matches itself literally. */
function likeLiteral(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`);
}

interface IndexRow {
  id: string;
  repo: string;
  commit_id: string;
  prefix: string;
  suffix: string;
  count: string | number;
  created_at: Date | string;
}

function toRecord(row: IndexRow): BatchIndexRecord {
  return {
    id: row.id,
    repo: row.repo,
    commitId: row.commit_id,
    prefix: row.prefix,
    suffix: row.suffix,
    count: Number(row.count),
    createdAt: new Date(row.created_at),
  };
}

/**
 * The index of `commit`'s files whose paths start with `prefix` and end with `suffix`,
 * built on first use in one transaction (the numbering happens inside the database).
 */
export async function ensureBatchIndex(
  client: SqlClient,
  commit: CommitRecord,
  prefix: string,
  suffix: string,
): Promise<BatchIndexRecord> {
  const id = createHash('sha256')
    .update(`${commit.repo}\0${commit.id}\0${prefix}\0${suffix}`)
    .digest('hex')
    .slice(0, 20);
  const existing = await client.query<IndexRow>('SELECT * FROM batch_indexes WHERE id = $1', [id]);
  if (existing.rows[0]) return toRecord(existing.rows[0]);
  return client.transaction(async (tx) => {
    const again = await tx.query<IndexRow>('SELECT * FROM batch_indexes WHERE id = $1 FOR UPDATE', [id]);
    if (again.rows[0]) return toRecord(again.rows[0]);
    await tx.query(
      `INSERT INTO batch_indexes (id, repo, commit_id, prefix, suffix, count, created_at)
       VALUES ($1, $2, $3, $4, $5, 0, now()) ON CONFLICT (id) DO NOTHING`,
      [id, commit.repo, commit.id, prefix, suffix],
    );
    const inserted = await tx.query<{ count: string | number }>(
      `WITH added AS (
         INSERT INTO batch_index_entries (index_id, ordinal, path, hash, size)
         SELECT $1, row_number() OVER (ORDER BY path) - 1, path, hash, size FROM files
          WHERE repo = $2 AND branch = $3 AND added_seq <= $4
            AND (removed_seq IS NULL OR removed_seq > $4) AND path LIKE $5 AND path LIKE $6
         RETURNING 1)
       SELECT count(*) AS count FROM added`,
      [id, commit.repo, commit.branch, commit.seq, `${likeLiteral(prefix)}%`, `%${likeLiteral(suffix)}`],
    );
    const { rows } = await tx.query<IndexRow>(
      'UPDATE batch_indexes SET count = $2 WHERE id = $1 RETURNING *',
      [id, Number(inserted.rows[0]?.count ?? 0)],
    );
    await tx.query(
      `DELETE FROM batch_indexes WHERE repo = $1 AND prefix = $2 AND suffix = $3 AND id IN (
         SELECT id FROM batch_indexes WHERE repo = $1 AND prefix = $2 AND suffix = $3
          ORDER BY created_at DESC, id OFFSET ${KEEP_INDEXES})`,
      [commit.repo, prefix, suffix],
    );
    return toRecord(rows[0]!);
  });
}

/** The entries at `ordinals`, in the order asked. */
export async function batchIndexEntries(
  client: SqlClient,
  indexId: string,
  ordinals: readonly number[],
): Promise<BatchIndexEntry[]> {
  if (ordinals.length === 0) return [];
  const { rows } = await client.query<{
    ordinal: string | number;
    path: string;
    hash: string;
    size: string | number;
  }>(
    'SELECT ordinal, path, hash, size FROM batch_index_entries WHERE index_id = $1 AND ordinal = ANY($2::bigint[])',
    [indexId, ordinals],
  );
  const byOrdinal = new Map(rows.map((row) => [Number(row.ordinal), row]));
  return ordinals.map((ordinal) => {
    const row = byOrdinal.get(ordinal);
    if (!row) throw new Error(`batch index ${indexId} has no entry ${ordinal}`);
    return { ordinal, path: row.path, hash: row.hash, size: Number(row.size) };
  });
}
