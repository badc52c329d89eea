/**
 * Schema migrations, applied in order inside one transaction each and recorded in
 * `schema_migrations`. A migration is never edited once released: add a new one.
 */
import type { SqlClient } from './sql-client.js';

/** The migrations, oldest first. */
// NOTE: params and outputs are `json`, not `jsonb`: users read them back and expect their
// keys in the order their steps wrote them (jsonb reorders keys).
export const MIGRATIONS: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'runs, tasks, attempts, logs, metrics, results',
    sql: `
      CREATE TABLE runs (
        id text PRIMARY KEY,
        pipeline text NOT NULL,
        pipeline_version text NOT NULL,
        spec_file text,
        params json NOT NULL,
        status text NOT NULL,
        desired_outputs jsonb NOT NULL,
        outputs json,
        error jsonb,
        pid integer,
        created_at timestamptz NOT NULL,
        started_at timestamptz,
        finished_at timestamptz
      );
      CREATE INDEX runs_created ON runs (created_at DESC);
      CREATE INDEX runs_pipeline ON runs (pipeline, created_at DESC);
      CREATE INDEX runs_status ON runs (status);
      CREATE TABLE tasks (
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        status text NOT NULL,
        exec_key text,
        attempts integer NOT NULL,
        error jsonb,
        started_at timestamptz,
        finished_at timestamptz,
        PRIMARY KEY (run_id, step, datum)
      );
      CREATE TABLE attempts (
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        attempt integer NOT NULL,
        status text NOT NULL,
        error jsonb,
        started_at timestamptz NOT NULL,
        finished_at timestamptz,
        PRIMARY KEY (run_id, step, datum, attempt)
      );
      CREATE TABLE logs (
        run_id text NOT NULL,
        seq integer NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        attempt integer NOT NULL,
        stream text NOT NULL,
        time timestamptz NOT NULL,
        line text NOT NULL,
        PRIMARY KEY (run_id, seq)
      );
      CREATE TABLE metrics (
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        key text NOT NULL,
        value double precision NOT NULL,
        index integer,
        time timestamptz NOT NULL
      );
      CREATE INDEX metrics_run ON metrics (run_id, key, index);
      CREATE TABLE results (
        exec_key text PRIMARY KEY,
        step text NOT NULL,
        outputs json NOT NULL,
        created_at timestamptz NOT NULL
      );
    `,
  },
  {
    version: 2,
    name: 'repos, branches, commits, files, provenance, pipelines; run inputs and output commit',
    // NOTE: a file row is valid on its branch from commit seq `added_seq` until the commit
    // that replaced or removed it (`removed_seq`), so a commit of k files writes O(k) rows
    // and a tree at any commit is one indexed query. Paths compare bytewise (COLLATE "C"),
    // so listings and prefix ranges agree on every server.
    sql: `
      CREATE TABLE repos (
        name text PRIMARY KEY,
        description text NOT NULL DEFAULT '',
        next_seq bigint NOT NULL DEFAULT 1,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE branches (
        repo text NOT NULL REFERENCES repos (name) ON DELETE CASCADE,
        name text NOT NULL,
        head text,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (repo, name)
      );
      CREATE TABLE commits (
        id text PRIMARY KEY,
        repo text NOT NULL REFERENCES repos (name) ON DELETE CASCADE,
        branch text NOT NULL,
        seq bigint NOT NULL,
        parent text,
        message text NOT NULL,
        file_count integer NOT NULL,
        bytes bigint NOT NULL,
        added integer NOT NULL,
        changed integer NOT NULL,
        removed integer NOT NULL,
        provenance jsonb,
        created_at timestamptz NOT NULL,
        UNIQUE (repo, seq)
      );
      CREATE TABLE commit_inputs (
        commit_id text NOT NULL REFERENCES commits (id) ON DELETE CASCADE,
        input_commit text NOT NULL,
        PRIMARY KEY (commit_id, input_commit)
      );
      CREATE INDEX commit_inputs_input ON commit_inputs (input_commit);
      CREATE TABLE files (
        repo text NOT NULL REFERENCES repos (name) ON DELETE CASCADE,
        branch text NOT NULL,
        path text COLLATE "C" NOT NULL,
        hash text NOT NULL,
        size bigint NOT NULL,
        added_seq bigint NOT NULL,
        removed_seq bigint
      );
      CREATE UNIQUE INDEX files_live ON files (repo, branch, path) WHERE removed_seq IS NULL;
      CREATE INDEX files_history ON files (repo, branch, path, added_seq);
      CREATE TABLE pipelines (
        name text NOT NULL,
        version integer NOT NULL,
        pipeline_version text NOT NULL,
        spec_file text,
        spec json NOT NULL,
        input_repos jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        deleted_at timestamptz,
        PRIMARY KEY (name, version)
      );
      ALTER TABLE runs ADD COLUMN input_commits json;
      ALTER TABLE runs ADD COLUMN output_commit text;
      ALTER TABLE runs ADD COLUMN triggered_by json;
    `,
  },
  {
    version: 3,
    name: 'model registry, logged params, artifacts, user tables schema',
    // NOTE: model versions are numbered from models.next_version, so a number is never
    // reused after a deletion; user tables live in their own schema, out of Sluice's way.
    sql: `
      CREATE TABLE models (
        name text PRIMARY KEY,
        next_version integer NOT NULL DEFAULT 1,
        keep_last integer,
        keep_aliased boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE model_versions (
        name text NOT NULL REFERENCES models (name) ON DELETE CASCADE,
        version integer NOT NULL,
        files json NOT NULL,
        content_hash text NOT NULL,
        metrics json NOT NULL,
        params json NOT NULL,
        run_id text,
        step text,
        datum text,
        pipeline text,
        pipeline_version text,
        input_commits json NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (name, version)
      );
      CREATE INDEX model_versions_origin ON model_versions (run_id, step, datum, name);
      CREATE TABLE model_aliases (
        name text NOT NULL,
        alias text NOT NULL,
        version integer NOT NULL,
        updated_at timestamptz NOT NULL,
        PRIMARY KEY (name, alias),
        FOREIGN KEY (name, version) REFERENCES model_versions (name, version) ON DELETE CASCADE
      );
      CREATE TABLE logged_params (
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        key text NOT NULL,
        value json NOT NULL,
        time timestamptz NOT NULL,
        PRIMARY KEY (run_id, step, datum, key)
      );
      CREATE TABLE artifacts (
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        name text NOT NULL,
        files json NOT NULL,
        bytes bigint NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (run_id, step, datum, name)
      );
      CREATE SCHEMA IF NOT EXISTS sluice_tables;
    `,
  },
  {
    version: 4,
    name: 'cron ticks claimed by the service',
    sql: `
      CREATE TABLE cron_ticks (
        pipeline text NOT NULL,
        schedule text NOT NULL,
        tick timestamptz NOT NULL,
        run_id text NOT NULL,
        claimed_at timestamptz NOT NULL,
        PRIMARY KEY (pipeline, schedule, tick)
      );
    `,
  },
  {
    version: 5,
    name: 'API tokens',
    // NOTE: only the SHA-256 of a token's secret is stored; the secret is shown once.
    sql: `
      CREATE TABLE api_tokens (
        id text PRIMARY KEY,
        name text NOT NULL,
        role text NOT NULL,
        secret_sha256 text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL,
        last_used_at timestamptz,
        revoked_at timestamptz
      );
    `,
  },
  {
    version: 6,
    name: 'topics',
    // NOTE: the embedded topic backend. A group's cursor is the highest seq handed out;
    // delivered messages wait in topic_pending (with their deadline) until acked.
    sql: `
      CREATE TABLE topics (
        name text PRIMARY KEY,
        config jsonb NOT NULL,
        last_seq bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        last_produced_at timestamptz
      );
      CREATE TABLE topic_messages (
        topic text NOT NULL,
        seq bigint NOT NULL,
        msg_key text,
        data bytea NOT NULL,
        headers jsonb NOT NULL,
        msg_id text,
        time timestamptz NOT NULL,
        PRIMARY KEY (topic, seq)
      );
      CREATE UNIQUE INDEX topic_messages_id ON topic_messages (topic, msg_id) WHERE msg_id IS NOT NULL;
      CREATE INDEX topic_messages_time ON topic_messages (topic, time);
      CREATE TABLE topic_groups (
        topic text NOT NULL,
        name text NOT NULL,
        cursor bigint NOT NULL,
        redelivered bigint NOT NULL DEFAULT 0,
        dead_lettered bigint NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (topic, name)
      );
      CREATE TABLE topic_pending (
        topic text NOT NULL,
        grp text NOT NULL,
        seq bigint NOT NULL,
        deliveries integer NOT NULL,
        deadline timestamptz NOT NULL,
        PRIMARY KEY (topic, grp, seq)
      );
      CREATE INDEX topic_pending_deadline ON topic_pending (topic, grp, deadline);
    `,
  },
  {
    version: 7,
    name: 'stream batches',
    // NOTE: which messages of a consumer group formed which datum, written before the datum
    // runs: messages redelivered after a crash form the same datum again (same execution
    // key), so a re-run replaces its results instead of adding to them.
    sql: `
      CREATE TABLE stream_batches (
        consumer text NOT NULL,
        datum text NOT NULL,
        seqs jsonb NOT NULL,
        status text NOT NULL,
        run_id text NOT NULL,
        reason text,
        created_at timestamptz NOT NULL,
        finished_at timestamptz,
        PRIMARY KEY (consumer, datum)
      );
      CREATE TABLE stream_batch_seqs (
        consumer text NOT NULL,
        seq bigint NOT NULL,
        datum text NOT NULL,
        PRIMARY KEY (consumer, seq)
      );
    `,
  },
  {
    version: 8,
    name: 'batch indexes',
    // NOTE: a snapshot of a commit's datapoint files numbered 0..n-1 by path, so the batch
    // sampler looks datapoints up by ordinal (a permuted position) without loading the list.
    sql: `
      CREATE TABLE batch_indexes (
        id text PRIMARY KEY,
        repo text NOT NULL,
        commit_id text NOT NULL,
        prefix text NOT NULL,
        suffix text NOT NULL,
        count bigint NOT NULL,
        created_at timestamptz NOT NULL
      );
      CREATE TABLE batch_index_entries (
        index_id text NOT NULL REFERENCES batch_indexes (id) ON DELETE CASCADE,
        ordinal bigint NOT NULL,
        path text COLLATE "C" NOT NULL,
        hash text NOT NULL,
        size bigint NOT NULL,
        PRIMARY KEY (index_id, ordinal)
      );
    `,
  },
  {
    version: 9,
    name: 'cluster: run ownership, dispatch leases, workers',
    // NOTE: cluster mode only (`SLUICE_DATABASE_URL`); the embedded store carries the tables
    // unused, so one schema serves both. A scheduler owns the runs it executes by a lease it
    // renews; an attempt dispatched to workers is one `dispatch` row, leased with a fencing
    // token (`fence`) that every renewal and the commit must present.
    sql: `
      ALTER TABLE runs ADD COLUMN owner text;
      ALTER TABLE runs ADD COLUMN lease_until timestamptz;
      ALTER TABLE runs ADD COLUMN cancel_requested text;
      CREATE INDEX runs_leased ON runs (lease_until) WHERE owner IS NOT NULL;
      CREATE TABLE dispatch_runs (
        run_id text PRIMARY KEY,
        run json NOT NULL,
        pipeline json NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      CREATE TABLE dispatch (
        id bigserial PRIMARY KEY,
        run_id text NOT NULL,
        step text NOT NULL,
        datum text NOT NULL,
        attempt integer NOT NULL,
        payload json NOT NULL,
        state text NOT NULL,
        fence bigint NOT NULL DEFAULT 0,
        worker text,
        deliveries integer NOT NULL DEFAULT 0,
        lease_until timestamptz,
        result json,
        created_at timestamptz NOT NULL DEFAULT now(),
        finished_at timestamptz,
        UNIQUE (run_id, step, datum, attempt)
      );
      CREATE INDEX dispatch_queued ON dispatch (id) WHERE state = 'queued';
      CREATE INDEX dispatch_leased ON dispatch (lease_until) WHERE state = 'leased';
      CREATE INDEX dispatch_finished ON dispatch (finished_at) WHERE finished_at IS NOT NULL;
      CREATE TABLE workers (
        id text PRIMARY KEY,
        host text NOT NULL,
        pid integer NOT NULL,
        concurrency integer NOT NULL,
        started_at timestamptz NOT NULL,
        heartbeat_at timestamptz NOT NULL,
        stopped_at timestamptz,
        done bigint NOT NULL DEFAULT 0,
        rejected bigint NOT NULL DEFAULT 0
      );
    `,
  },
];

/** A hash of the migrations, naming templates built from them. */
export function migrationsFingerprint(): string {
  return MIGRATIONS.map((migration) => `${migration.version}:${migration.sql.length}`).join(',');
}

/** Applies the migrations `client` has not seen yet. */
export async function migrate(client: SqlClient): Promise<void> {
  await client.exec(
    'CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())',
  );
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations');
  const applied = new Set(rows.map((row) => Number(row.version)));
  // NOTE: entries may be listed out of order; they are applied by version.
  for (const migration of [...MIGRATIONS].sort((a, b) => a.version - b.version)) {
    if (applied.has(migration.version)) continue;
    await client.transaction(async (tx) => {
      await tx.exec(migration.sql);
      await tx.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ]);
    });
  }
}
