/**
 * `sluice models list|show|alias|rm|retention|download`: the model registry on the command
 * line. `REF` is `NAME` (its latest version), `NAME@ALIAS` or `NAME:VERSION`.
 */
import { resolve } from 'node:path';
import { pc } from '../colors.js';
import { SluiceError } from '../../core/index.js';
import { parseModelRef } from '../../spec/index.js';
import type { ModelVersion } from '../../tracking/index.js';
import type { CliConfig } from '../config.js';
import { EXIT } from '../exit-codes.js';
import { json, type Io } from '../io.js';
import { integerFlag } from '../flags.js';
import { withTracking } from '../tracking-access.js';
import { formatBytes } from './data.js';

function shortDate(date: Date): string {
  return new Date(date).toISOString().slice(0, 19).replace('T', ' ');
}

function formatMetrics(metrics: Record<string, number>): string {
  const text = Object.entries(metrics)
    .map(([key, value]) => `${key}=${Number.isInteger(value) ? value : value.toPrecision(4)}`)
    .join(' ');
  return text || '-';
}

function versionRef(value: string): { name: string; version: number } {
  const parsed = parseModelRef(value);
  if ('error' in parsed || parsed.kind !== 'version') {
    throw new SluiceError('USAGE', `expected NAME:VERSION (e.g. beehive-kmeans:3), found '${value}'`);
  }
  return { name: parsed.name, version: parsed.version };
}

function positiveInteger(flag: string, value: string): number {
  return integerFlag(flag, value, 1)!;
}

function printVersion(version: ModelVersion, io: Io): void {
  const bytes = version.files.reduce((sum, file) => sum + file.size, 0);
  io.out(
    `${pc.bold(`${version.name}:${version.version}`)}${version.aliases.length ? ` (${version.aliases.join(', ')})` : ''}\n`,
  );
  io.out(`created   ${shortDate(version.createdAt)}\n`);
  io.out(`files     ${version.files.length} (${formatBytes(bytes)})\n`);
  for (const file of version.files.slice(0, 20))
    io.out(`  ${file.path}  ${formatBytes(file.size)}  ${pc.dim(file.hash.slice(0, 12))}\n`);
  if (version.files.length > 20) io.out(`  ... and ${version.files.length - 20} more\n`);
  io.out(`metrics   ${formatMetrics(version.metrics)}\n`);
  io.out(`params    ${Object.keys(version.params).length ? JSON.stringify(version.params) : '-'}\n`);
  if (version.runId) {
    io.out(
      `run       ${version.runId} (pipeline ${version.pipeline}, step ${version.step}${version.datum ? `, datum ${version.datum}` : ''})\n`,
    );
    for (const input of version.inputCommits)
      io.out(`  input ${input.input}: ${input.repo}@${input.commit}\n`);
  }
}

/** `sluice models list`. */
export async function modelsList(options: { json?: boolean }, config: CliConfig, io: Io): Promise<number> {
  return withTracking(config, 'sluice models list', async ({ registry }) => {
    const models = await registry.list();
    if (options.json) {
      io.out(json(models));
      return EXIT.ok;
    }
    if (models.length === 0) {
      io.out('no models yet: a step saves one with ctx.registry.save() or $SLUICE_MODELS/<name>/\n');
      return EXIT.ok;
    }
    io.out(
      `${pc.bold('MODEL'.padEnd(28))}${pc.bold('VERSIONS'.padEnd(10))}${pc.bold('LATEST'.padEnd(8))}${pc.bold('ALIASES'.padEnd(30))}${pc.bold('RETENTION')}\n`,
    );
    for (const model of models) {
      const aliases = Object.entries(model.aliases)
        .filter(([alias]) => alias !== 'latest')
        .map(([alias, version]) => `${alias}=${version}`)
        .join(' ');
      const retention = model.retention.keepLast
        ? `keep last ${model.retention.keepLast}${model.retention.keepAliased ? ' + aliased' : ''}`
        : '-';
      io.out(
        `${model.name.padEnd(28)}${String(model.versions).padEnd(10)}${String(model.latest ?? '-').padEnd(8)}${(aliases || '-').padEnd(30)}${retention}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** `sluice models show NAME | NAME@ALIAS | NAME:VERSION`. */
export async function modelsShow(
  ref: string,
  options: { json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  return withTracking(config, 'sluice models show', async ({ registry }) => {
    if (ref.includes('@') || ref.includes(':')) {
      const version = await registry.get(ref);
      if (options.json) io.out(json(version));
      else printVersion(version, io);
      return EXIT.ok;
    }
    const versions = await registry.versions(ref);
    const summary = (await registry.list()).find((model) => model.name === ref);
    if (options.json) {
      io.out(json({ ...summary, versions }));
      return EXIT.ok;
    }
    io.out(`${pc.bold(ref)}: ${versions.length} version${versions.length === 1 ? '' : 's'}\n`);
    io.out(
      `${pc.bold('VERSION'.padEnd(9))}${pc.bold('CREATED'.padEnd(21))}${pc.bold('ALIASES'.padEnd(24))}${pc.bold('RUN'.padEnd(14))}${pc.bold('METRICS')}\n`,
    );
    for (const version of versions) {
      io.out(
        `${String(version.version).padEnd(9)}${shortDate(version.createdAt).padEnd(21)}${(version.aliases.join(',') || '-').padEnd(24)}${(version.runId ?? '-').padEnd(14)}${formatMetrics(version.metrics)}\n`,
      );
    }
    return EXIT.ok;
  });
}

/** `sluice models alias NAME ALIAS VERSION` or `... NAME ALIAS --delete`. */
export async function modelsAlias(
  name: string,
  alias: string,
  version: string | undefined,
  options: { delete?: boolean; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (options.delete && version !== undefined)
    throw new SluiceError('USAGE', 'models alias --delete takes no VERSION');
  if (!options.delete && version === undefined) {
    throw new SluiceError(
      'USAGE',
      'models alias NAME ALIAS VERSION: give the version the alias should name, or --delete',
    );
  }
  return withTracking(config, 'sluice models alias', async ({ registry }) => {
    if (options.delete) {
      await registry.removeAlias(name, alias);
      if (options.json) io.out(json({ name, alias, deleted: true }));
      else io.out(`removed alias ${name}@${alias}\n`);
      return EXIT.ok;
    }
    const target = await registry.setAlias(name, alias, positiveInteger('VERSION', version ?? ''));
    if (options.json) io.out(json({ name, alias, version: target.version }));
    else io.out(`${name}@${alias} -> version ${target.version}\n`);
    return EXIT.ok;
  });
}

/** `sluice models rm NAME:VERSION [--force]`. */
export async function modelsRemove(
  ref: string,
  options: { force?: boolean; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const { name, version } = versionRef(ref);
  return withTracking(config, 'sluice models rm', async ({ registry }) => {
    await registry.remove(name, version, { force: options.force === true });
    if (options.json) io.out(json({ name, version, deleted: true }));
    else io.out(`removed ${name}:${version}\n`);
    return EXIT.ok;
  });
}

/** `sluice models retention NAME --keep-last N [--keep-aliased]`: sets the rule and applies it. */
export async function modelsRetention(
  name: string,
  options: { keepLast?: string; keepAliased?: boolean; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  const keepLast =
    options.keepLast === undefined ? undefined : positiveInteger('--keep-last', options.keepLast);
  return withTracking(config, 'sluice models retention', async ({ registry }) => {
    const rule = await registry.setRetention(name, {
      ...(keepLast !== undefined ? { keepLast } : {}),
      keepAliased: options.keepAliased === true,
    });
    const deleted = await registry.applyRetention(name);
    if (options.json) {
      io.out(json({ name, retention: rule, deleted }));
      return EXIT.ok;
    }
    io.out(
      `${name}: keep the last ${rule.keepLast ?? 'all'} versions${rule.keepAliased ? ' and every aliased one' : ''}\n`,
    );
    io.out(
      deleted.length
        ? `deleted ${deleted.map((item) => `${item.name}:${item.version}`).join(', ')}\n`
        : 'nothing to delete\n',
    );
    return EXIT.ok;
  });
}

/** `sluice models download REF -o DIR`. */
export async function modelsDownload(
  ref: string,
  options: { output?: string; json?: boolean },
  config: CliConfig,
  io: Io,
): Promise<number> {
  if (!options.output)
    throw new SluiceError('USAGE', 'models download REF -o DIR: say where to put the files');
  const dir = resolve(io.cwd, options.output);
  return withTracking(config, 'sluice models download', async ({ registry }) => {
    const version = await registry.download(ref, dir);
    if (options.json)
      io.out(json({ name: version.name, version: version.version, dir, files: version.files }));
    else
      io.out(
        `${version.name}:${version.version}: ${version.files.length} file${version.files.length === 1 ? '' : 's'} written to ${dir}\n`,
      );
    return EXIT.ok;
  });
}
