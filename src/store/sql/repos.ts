/**
 * SQL for repos, branches, commits and file rows. A file row is valid on its branch from the
 * commit seq that added it until the one that replaced or removed it, so a commit writes
 * only the rows it changes and the tree at any commit is one range query.
 */
import { SluiceError, newId } from '../../core/index.js';
import type {
  BranchRecord,
  CommitRecord,
  FileDiff,
  FileEntry,
  NewCommit,
  Provenance,
  RepoRecord,
} from '../repo-records.js';
import type { SqlClient } from '../sql-client.js';
import { toDate } from './rows.js';

function toRepo(row: Record<string, unknown>): RepoRecord {
  return { name: String(row.name), description: String(row.description), createdAt: toDate(row.created_at) };
}

function toBranch(row: Record<string, unknown>): BranchRecord {
  return {
    repo: String(row.repo),
    name: String(row.name),
    head: (row.head as string | null) ?? null,
    createdAt: toDate(row.created_at),
  };
}

function toCommit(row: Record<string, unknown>): CommitRecord {
  return {
    id: String(row.id),
    repo: String(row.repo),
    branch: String(row.branch),
    seq: Number(row.seq),
    parent: (row.parent as string | null) ?? null,
    message: String(row.message),
    fileCount: Number(row.file_count),
    bytes: Number(row.bytes),
    added: Number(row.added),
    changed: Number(row.changed),
    removed: Number(row.removed),
    provenance: (row.provenance as Provenance | null) ?? null,
    createdAt: toDate(row.created_at),
  };
}

function toFile(row: Record<string, unknown>): FileEntry {
  return { path: String(row.path), hash: String(row.hash), size: Number(row.size) };
}

/** The rows of `branch` valid at commit seq `$3`: added at or before it, not yet removed. */
const VALID_AT =
  'repo = $1 AND branch = $2 AND added_seq <= $3 AND (removed_seq IS NULL OR removed_seq > $3)';

export async function createRepo(client: SqlClient, name: string, description: string): Promise<RepoRecord> {
  const { rows } = await client.query(
    'INSERT INTO repos (name, description, created_at) VALUES ($1, $2, now()) ON CONFLICT (name) DO NOTHING RETURNING *',
    [name, description],
  );
  const row = rows[0];
  if (!row) throw new SluiceError('REPO_EXISTS', `repo '${name}' already exists`);
  return toRepo(row);
}

export async function getRepo(client: SqlClient, name: string): Promise<RepoRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM repos WHERE name = $1', [name]);
  return rows[0] ? toRepo(rows[0]) : undefined;
}

export async function listRepos(client: SqlClient): Promise<(RepoRecord & { branches: BranchRecord[] })[]> {
  const repos = (await client.query('SELECT * FROM repos ORDER BY name')).rows.map(toRepo);
  const branches = (await client.query('SELECT * FROM branches ORDER BY repo, name')).rows.map(toBranch);
  return repos.map((repo) => ({ ...repo, branches: branches.filter((branch) => branch.repo === repo.name) }));
}

export async function deleteRepo(client: SqlClient, name: string): Promise<boolean> {
  return client.transaction(async (tx) => {
    // NOTE: explicit deletes in dependency order; the cascades would do the same, slower.
    await tx.query('DELETE FROM files WHERE repo = $1', [name]);
    await tx.query('DELETE FROM commit_inputs WHERE commit_id IN (SELECT id FROM commits WHERE repo = $1)', [
      name,
    ]);
    await tx.query('DELETE FROM commits WHERE repo = $1', [name]);
    await tx.query('DELETE FROM branches WHERE repo = $1', [name]);
    const { rows } = await tx.query('DELETE FROM repos WHERE name = $1 RETURNING name', [name]);
    return rows.length > 0;
  });
}

export async function listBranches(client: SqlClient, repo: string): Promise<BranchRecord[]> {
  const { rows } = await client.query('SELECT * FROM branches WHERE repo = $1 ORDER BY name', [repo]);
  return rows.map(toBranch);
}

export async function getBranch(
  client: SqlClient,
  repo: string,
  name: string,
): Promise<BranchRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM branches WHERE repo = $1 AND name = $2', [repo, name]);
  return rows[0] ? toBranch(rows[0]) : undefined;
}

export async function createBranch(
  client: SqlClient,
  repo: string,
  name: string,
  from: CommitRecord | null,
): Promise<BranchRecord> {
  return client.transaction(async (tx) => {
    const { rows } = await tx.query(
      'INSERT INTO branches (repo, name, head, created_at) VALUES ($1, $2, $3, now()) ON CONFLICT (repo, name) DO NOTHING RETURNING *',
      [repo, name, from?.id ?? null],
    );
    const row = rows[0];
    if (!row) throw new SluiceError('REPO_EXISTS', `repo '${repo}' already has a branch '${name}'`);
    if (from) {
      await tx.query(
        `INSERT INTO files (repo, branch, path, hash, size, added_seq, removed_seq)
         SELECT repo, $4, path, hash, size, $3, NULL FROM files WHERE ${VALID_AT}`,
        [repo, from.branch, from.seq, name],
      );
    }
    return toBranch(row);
  });
}

export async function deleteBranch(client: SqlClient, repo: string, name: string): Promise<boolean> {
  return client.transaction(async (tx) => {
    await tx.query('DELETE FROM files WHERE repo = $1 AND branch = $2', [repo, name]);
    const { rows } = await tx.query('DELETE FROM branches WHERE repo = $1 AND name = $2 RETURNING name', [
      repo,
      name,
    ]);
    return rows.length > 0;
  });
}

export async function getCommit(client: SqlClient, id: string): Promise<CommitRecord | undefined> {
  const { rows } = await client.query('SELECT * FROM commits WHERE id = $1', [id]);
  return rows[0] ? toCommit(rows[0]) : undefined;
}

export async function findCommits(client: SqlClient, repo: string, prefix: string): Promise<CommitRecord[]> {
  const { rows } = await client.query(
    "SELECT * FROM commits WHERE repo = $1 AND id LIKE $2 || '%' ORDER BY seq DESC LIMIT 10",
    [repo, prefix.replace(/[%_\\]/g, '')],
  );
  return rows.map(toCommit);
}

export async function commit(client: SqlClient, change: NewCommit): Promise<CommitRecord | null> {
  // The last change of a path wins, as if applied in order.
  const byPath = new Map(change.changes.map((item) => [item.path, item]));
  const paths = [...byPath.keys()];
  return client.transaction(async (tx) => {
    const repo = await tx.query('SELECT name FROM repos WHERE name = $1 FOR UPDATE', [change.repo]);
    if (repo.rows.length === 0)
      throw new SluiceError('REPO_NOT_FOUND', `repo '${change.repo}' does not exist`);
    let branch = (
      await tx.query('SELECT * FROM branches WHERE repo = $1 AND name = $2', [change.repo, change.branch])
    ).rows[0];
    if (!branch) {
      branch = (
        await tx.query(
          'INSERT INTO branches (repo, name, head, created_at) VALUES ($1, $2, NULL, now()) RETURNING *',
          [change.repo, change.branch],
        )
      ).rows[0];
    }
    const head = branch?.head
      ? (await tx.query('SELECT * FROM commits WHERE id = $1', [branch.head])).rows[0]
      : undefined;
    const parent = head ? toCommit(head) : null;
    const live = new Map<string, FileEntry>();
    if (paths.length > 0) {
      const { rows } = await tx.query(
        'SELECT path, hash, size FROM files WHERE repo = $1 AND branch = $2 AND removed_seq IS NULL AND path = ANY($3::text[])',
        [change.repo, change.branch, paths],
      );
      for (const row of rows) live.set(String(row.path), toFile(row));
    }
    const replaced: string[] = [];
    const inserted: FileEntry[] = [];
    let added = 0;
    let changed = 0;
    let removed = 0;
    let bytes = parent?.bytes ?? 0;
    for (const [path, item] of byPath) {
      const before = live.get(path);
      if (item.hash === null) {
        if (!before) continue;
        replaced.push(path);
        removed += 1;
        bytes -= before.size;
      } else if (!before) {
        inserted.push({ path, hash: item.hash, size: item.size });
        added += 1;
        bytes += item.size;
      } else if (before.hash !== item.hash) {
        replaced.push(path);
        inserted.push({ path, hash: item.hash, size: item.size });
        changed += 1;
        bytes += item.size - before.size;
      }
    }
    if (added + changed + removed === 0 && !change.allowEmpty) return null;
    const seqRow = (
      await tx.query(
        'UPDATE repos SET next_seq = next_seq + 1 WHERE name = $1 RETURNING next_seq - 1 AS seq',
        [change.repo],
      )
    ).rows[0];
    const seq = Number(seqRow?.seq);
    if (replaced.length > 0) {
      await tx.query(
        'UPDATE files SET removed_seq = $3 WHERE repo = $1 AND branch = $2 AND removed_seq IS NULL AND path = ANY($4::text[])',
        [change.repo, change.branch, seq, replaced],
      );
    }
    if (inserted.length > 0) {
      await tx.query(
        `INSERT INTO files (repo, branch, path, hash, size, added_seq)
         SELECT $1, $2, path, hash, size, $3 FROM json_to_recordset($4::json) AS r(path text, hash text, size bigint)`,
        [change.repo, change.branch, seq, JSON.stringify(inserted)],
      );
    }
    const id = newId();
    const { rows } = await tx.query(
      `INSERT INTO commits (id, repo, branch, seq, parent, message, file_count, bytes, added, changed, removed, provenance, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, now()) RETURNING *`,
      [
        id,
        change.repo,
        change.branch,
        seq,
        parent?.id ?? null,
        change.message,
        (parent?.fileCount ?? 0) + added - removed,
        bytes,
        added,
        changed,
        removed,
        change.provenance ? JSON.stringify(change.provenance) : null,
      ],
    );
    const inputs = [...new Set(change.provenance?.inputs.map((input) => input.commit) ?? [])];
    if (inputs.length > 0) {
      await tx.query(
        'INSERT INTO commit_inputs (commit_id, input_commit) SELECT $1, unnest($2::text[]) ON CONFLICT DO NOTHING',
        [id, inputs],
      );
    }
    await tx.query('UPDATE branches SET head = $3 WHERE repo = $1 AND name = $2', [
      change.repo,
      change.branch,
      id,
    ]);
    const created = rows[0];
    if (!created) throw new SluiceError('INTERNAL', 'the commit insert returned no row');
    return toCommit(created);
  });
}

/** The exclusive upper bound of paths under `dir/`: '/' is followed by '0' in byte order. */
function prefixRange(prefix: string): [string, string] {
  const dir = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return [dir, `${dir.slice(0, -1)}0`];
}

export async function listFiles(client: SqlClient, at: CommitRecord, prefix = '/'): Promise<FileEntry[]> {
  const params: unknown[] = [at.repo, at.branch, at.seq];
  let where = VALID_AT;
  if (prefix !== '/') {
    const [low, high] = prefixRange(prefix);
    params.push(prefix, low, high);
    where += ' AND (path = $4 OR (path >= $5 AND path < $6))';
  }
  // NOTE: one aggregated JSON text instead of a row per file: listing 10,000 files this way
  // takes a third of the time (it runs for every data input of every run).
  const { rows } = await client.query<{ files: string | null }>(
    `SELECT json_agg(json_build_array(path, hash, size) ORDER BY path)::text AS files FROM files WHERE ${where}`,
    params,
  );
  const text = rows[0]?.files;
  if (!text) return [];
  return (JSON.parse(text) as [string, string, number][]).map(([path, hash, size]) => ({
    path,
    hash,
    size: Number(size),
  }));
}

export async function diff(
  client: SqlClient,
  from: CommitRecord | null,
  to: CommitRecord,
): Promise<FileDiff[]> {
  if (from && from.branch === to.branch && from.seq <= to.seq) {
    // Same branch: only rows added or removed between the two seqs can differ.
    const { rows } = await client.query(
      `SELECT path, hash, size, added_seq, removed_seq FROM files
       WHERE repo = $1 AND branch = $2
         AND ((added_seq > $3 AND added_seq <= $4) OR (removed_seq > $3 AND removed_seq <= $4))
       ORDER BY path, added_seq`,
      [to.repo, to.branch, from.seq, to.seq],
    );
    const byPath = new Map<string, FileDiff>();
    for (const row of rows) {
      const path = String(row.path);
      const entry = byPath.get(path) ?? { path, before: null, after: null };
      const added = Number(row.added_seq);
      const removedSeq = row.removed_seq === null ? null : Number(row.removed_seq);
      if (added <= from.seq) entry.before = toFile(row);
      if (added <= to.seq && (removedSeq === null || removedSeq > to.seq)) entry.after = toFile(row);
      byPath.set(path, entry);
    }
    return [...byPath.values()].filter(
      (entry) =>
        entry.before?.hash !== entry.after?.hash || (entry.before === null) !== (entry.after === null),
    );
  }
  const before = new Map((from ? await listFiles(client, from) : []).map((file) => [file.path, file]));
  const after = await listFiles(client, to);
  const diffs: FileDiff[] = [];
  for (const file of after) {
    const old = before.get(file.path);
    before.delete(file.path);
    if (!old || old.hash !== file.hash) diffs.push({ path: file.path, before: old ?? null, after: file });
  }
  for (const old of before.values()) diffs.push({ path: old.path, before: old, after: null });
  return diffs.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

export async function log(client: SqlClient, head: string, limit: number): Promise<CommitRecord[]> {
  const { rows } = await client.query(
    `WITH RECURSIVE chain AS (
       SELECT c.*, 1 AS depth FROM commits c WHERE c.id = $1
       UNION ALL
       SELECT p.*, chain.depth + 1 FROM commits p JOIN chain ON p.id = chain.parent WHERE chain.depth < $2
     ) SELECT * FROM chain ORDER BY depth`,
    [head, limit],
  );
  return rows.map(toCommit);
}

export async function derivedFrom(client: SqlClient, commitId: string): Promise<CommitRecord[]> {
  const { rows } = await client.query(
    'SELECT c.* FROM commit_inputs i JOIN commits c ON c.id = i.commit_id WHERE i.input_commit = $1 ORDER BY c.created_at, c.id',
    [commitId],
  );
  return rows.map(toCommit);
}
