/**
 * The {@link MetadataStore} over any {@link SqlClient}: the same code and SQL serve PGlite
 * (embedded) and a PostgreSQL server.
 */
import { SluiceError } from '../core/index.js';
import type { SqlClient } from './sql-client.js';
import type { MetadataStore, StateBatch } from './store.js';
import { getRun, findRunsByPrefix, listRuns, sweepInterrupted, upsertRuns } from './sql/runs.js';
import { listAttempts, listTasks, runContents, upsertAttempts, upsertTasks } from './sql/tasks.js';
import { insertLogs, insertMetrics, listLogs, listMetrics, maxLogSeq } from './sql/logs.js';
import { findResults, insertResults } from './sql/results.js';
import * as repos from './sql/repos.js';
import * as pipelines from './sql/pipelines.js';
import { trackingQueries } from './sql/tracking.js';
import { tokenQueries } from './sql/tokens.js';
import { statsQueries } from './sql/stats.js';
import { scheduleQueries } from './sql/schedules.js';

/** A metadata store on `client`, which must already be migrated. */
export function sqlStore(client: SqlClient): MetadataStore {
  return {
    async write(batch: StateBatch) {
      await client.transaction(async (tx) => {
        if (batch.runs?.length) await upsertRuns(tx, batch.runs);
        if (batch.results?.length) await insertResults(tx, batch.results);
        if (batch.tasks?.length) await upsertTasks(tx, batch.tasks);
        if (batch.attempts?.length) await upsertAttempts(tx, batch.attempts);
        if (batch.logs?.length) await insertLogs(tx, batch.logs);
        if (batch.metrics?.length) await insertMetrics(tx, batch.metrics);
      });
    },
    getRun: (id) => getRun(client, id),
    async findRun(idOrPrefix) {
      const exact = await getRun(client, idOrPrefix);
      if (exact) return exact;
      if (idOrPrefix.length === 0) return undefined;
      const matches = await findRunsByPrefix(client, idOrPrefix, 5);
      if (matches.length > 1) {
        throw new SluiceError(
          'USAGE',
          `run id prefix '${idOrPrefix}' is ambiguous: matches ${matches.map((run) => run.id).join(', ')}`,
        );
      }
      return matches[0];
    },
    listRuns: (filter = {}) => listRuns(client, filter),
    listTasks: (runId) => listTasks(client, runId),
    listAttempts: (runId) => listAttempts(client, runId),
    listLogs: (runId, options = {}) => listLogs(client, runId, options),
    listMetrics: (runId) => listMetrics(client, runId),
    runContents: (runId) => runContents(client, runId),
    maxLogSeq: (runId) => maxLogSeq(client, runId),
    findResults: (keys) => findResults(client, keys),
    sweepInterrupted: (livePid) => sweepInterrupted(client, livePid),
    repos: {
      createRepo: (name, description = '') => repos.createRepo(client, name, description),
      getRepo: (name) => repos.getRepo(client, name),
      listRepos: () => repos.listRepos(client),
      deleteRepo: (name) => repos.deleteRepo(client, name),
      listBranches: (repo) => repos.listBranches(client, repo),
      getBranch: (repo, name) => repos.getBranch(client, repo, name),
      createBranch: (repo, name, from) => repos.createBranch(client, repo, name, from),
      deleteBranch: (repo, name) => repos.deleteBranch(client, repo, name),
      getCommit: (id) => repos.getCommit(client, id),
      findCommits: (repo, prefix) => repos.findCommits(client, repo, prefix),
      commit: (change) => repos.commit(client, change),
      listFiles: (at, prefix) => repos.listFiles(client, at, prefix),
      diff: (from, to) => repos.diff(client, from, to),
      log: (head, limit) => repos.log(client, head, limit),
      derivedFrom: (commitId) => repos.derivedFrom(client, commitId),
      addPipelineVersion: (record) => pipelines.addPipelineVersion(client, record),
      getPipeline: (name) => pipelines.getPipeline(client, name),
      listPipelines: () => pipelines.listPipelines(client),
      deletePipeline: (name) => pipelines.deletePipeline(client, name),
    },
    tokens: tokenQueries(client),
    schedules: scheduleQueries(client),
    stats: statsQueries(client),
    tracking: trackingQueries(client),
    sql: client,
    close: () => client.close(),
  };
}
