/**
 * Where `sluice models` and `sluice table` read and write: the data directory itself, or,
 * when a server owns it (or `SLUICE_URL` names one), that server's HTTP API. The remote
 * side offers what the API offers; retention rules and downloads need the data directory.
 */
import { SluiceError } from '../core/index.js';
import type { SluiceClient } from '../client/index.js';
import type { ModelRegistry, ModelSummary, ModelVersion, Tables } from '../tracking/index.js';
import type { CliConfig } from './config.js';
import { serverFor } from './server-client.js';
import { withWorkspace } from './workspace.js';

/** The registry operations the CLI uses, local or remote. */
export type RegistryAccess = Pick<
  ModelRegistry,
  | 'list'
  | 'versions'
  | 'get'
  | 'setAlias'
  | 'removeAlias'
  | 'remove'
  | 'setRetention'
  | 'applyRetention'
  | 'download'
>;
/** The table operations the CLI uses, local or remote. */
export type TablesAccess = Pick<Tables, 'list' | 'describe' | 'rows' | 'exportCsv' | 'exportJson'>;

/** Runs `fn` with the registry and tables of the configured server, or of the data directory. */
export async function withTracking<T>(
  config: CliConfig,
  command: string,
  fn: (access: { registry: RegistryAccess; tables: TablesAccess }) => Promise<T>,
): Promise<T> {
  const client = await serverFor(config);
  if (client) return fn({ registry: remoteRegistry(client), tables: remoteTables(client) });
  return withWorkspace(config, command, ({ registry, tables }) => fn({ registry, tables }));
}

function localOnly(what: string, client: SluiceClient): never {
  throw new SluiceError(
    'USAGE',
    `${what} works on the data directory, which the server at ${client.url} owns; run it there, or stop the server first`,
  );
}

const segment = encodeURIComponent;

function remoteRegistry(client: SluiceClient): RegistryAccess {
  const get = (ref: string): Promise<ModelVersion> => {
    const at = ref.search(/[@:]/);
    const name = at < 0 ? ref : ref.slice(0, at);
    const version = at < 0 ? 'latest' : ref.slice(at + 1);
    return client.json<ModelVersion>('GET', `/api/models/${segment(name)}/versions/${segment(version)}`);
  };
  return {
    list: () => client.json<ModelSummary[]>('GET', '/api/models'),
    versions: (name) => client.json<ModelVersion[]>('GET', `/api/models/${segment(name)}`),
    get,
    setAlias: (name, alias, version) =>
      client.json<ModelVersion>('PUT', `/api/models/${segment(name)}/aliases/${segment(alias)}`, {
        json: { version },
      }),
    async removeAlias(name, alias) {
      await client.json('DELETE', `/api/models/${segment(name)}/aliases/${segment(alias)}`);
    },
    async remove(name, version, options = {}) {
      await client.json('DELETE', `/api/models/${segment(name)}/versions/${version}`, {
        query: { force: options.force ? 'true' : undefined },
      });
    },
    setRetention: () => localOnly('models retention', client),
    applyRetention: () => localOnly('models retention', client),
    download: () => localOnly('models download', client),
  };
}

function remoteTables(client: SluiceClient): TablesAccess {
  const exportTo = async (
    format: 'csv' | 'json',
    name: string,
    out: { write(text: string): unknown },
    options: { where?: Record<string, unknown>; runId?: string } = {},
  ): Promise<number> => {
    const response = await client.request('GET', `/api/tables/${segment(name)}/export`, {
      query: {
        format,
        where:
          options.where && Object.keys(options.where).length > 0 ? JSON.stringify(options.where) : undefined,
        runId: options.runId,
      },
    });
    const text = await response.text();
    out.write(text);
    return format === 'csv'
      ? Math.max(0, text.split('\n').filter(Boolean).length - 1)
      : (JSON.parse(text) as unknown[]).length;
  };
  return {
    list: () => client.json('GET', '/api/tables'),
    describe: (name) => client.json('GET', `/api/tables/${segment(name)}`),
    rows: (name, options = {}) =>
      client.json('GET', `/api/tables/${segment(name)}/rows`, {
        query: {
          limit: options.limit,
          offset: options.offset,
          where:
            options.where && Object.keys(options.where).length > 0
              ? JSON.stringify(options.where)
              : undefined,
          runId: options.runId,
        },
      }),
    exportCsv: (name, out, options) => exportTo('csv', name, out, options),
    exportJson: (name, out, options) => exportTo('json', name, out, options),
  };
}
