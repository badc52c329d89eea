/**
 * `/models/:name/compare?versions=1,2`: metrics side by side with differences from the first
 * version, params with differing rows highlighted, provenance, and a bar chart per metric.
 */
import { useMemo, type ReactNode } from 'react';
import { Link, useParams, useSearchParams } from 'react-router';
import type { ModelVersion } from '../../api/types';
import { BarChart } from '../../components/charts/BarChart';
import { seriesColor } from '../../components/charts/scale';
import { PageHeader, Panel } from '../../components/Page';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { formatNumber, formatTime } from '../../lib/format';
import { AliasChip } from './AliasChip';
import { keysOf, sortAliases, useVersions } from './data';
import { InputCommits } from './VersionDetail';

const cell = 'px-2 py-1.5 align-top';

function show(value: unknown): string {
  if (value === undefined) return '—';
  return typeof value === 'string' ? value : JSON.stringify(value);
}

function signed(value: number): string {
  return `${value > 0 ? '+' : value < 0 ? '−' : '±'}${formatNumber(Math.abs(value))}`;
}

function VersionHeads({ versions }: { versions: ModelVersion[] }) {
  return (
    <>
      {versions.map((version, index) => (
        <th key={version.version} scope="col" className={`${cell} font-mono normal-case`}>
          <span
            className="mr-1.5 inline-block size-2 rounded-full"
            style={{ background: seriesColor(index) }}
            aria-hidden
          />
          v{version.version}
        </th>
      ))}
    </>
  );
}

export function CompareVersions() {
  const name = useParams().name!;
  const [search] = useSearchParams();
  const wanted = useMemo(
    () =>
      (search.get('versions') ?? '')
        .split(',')
        .map(Number)
        .filter((n) => Number.isInteger(n) && n > 0),
    [search],
  );
  const query = useVersions(name);
  const header = (
    <PageHeader
      title={`Compare versions of ${name}`}
      crumbs={[
        { label: 'Models', to: '/models' },
        { label: name, to: `/models/${encodeURIComponent(name)}` },
      ]}
    />
  );
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorView error={query.error} />;
  const versions = wanted
    .map((n) => query.data.find((version) => version.version === n))
    .filter((version): version is ModelVersion => !!version);
  const missing = wanted.filter((n) => !versions.some((version) => version.version === n));
  if (versions.length < 2) {
    return (
      <div>
        {header}
        <EmptyState title="Choose two or more versions">
          Select versions with the checkboxes on{' '}
          <Link className="text-accent hover:underline" to={`/models/${encodeURIComponent(name)}`}>
            the model&apos;s page
          </Link>{' '}
          and press Compare{missing.length ? ` (no version ${missing.join(', ')})` : ''}.
        </EmptyState>
      </div>
    );
  }
  const { metrics, params } = keysOf(versions);
  const base = versions[0]!;
  const provenance: [string, (version: ModelVersion) => ReactNode][] = [
    ['created', (version) => formatTime(version.createdAt)],
    [
      'aliases',
      (version) => (
        <span className="flex flex-wrap gap-1">
          {sortAliases(version.aliases).map((alias) => (
            <AliasChip key={alias} alias={alias} />
          ))}
        </span>
      ),
    ],
    [
      'run',
      (version) =>
        version.runId ? (
          <Link className="font-mono text-accent hover:underline" to={`/runs/${version.runId}`}>
            {version.runId.slice(0, 10)}
          </Link>
        ) : (
          '—'
        ),
    ],
    ['pipeline', (version) => version.pipeline ?? '—'],
    [
      'pipeline version',
      (version) => (
        <span className="font-mono text-xs" title={version.pipelineVersion ?? ''}>
          {version.pipelineVersion?.slice(0, 12) ?? '—'}
        </span>
      ),
    ],
    ['step', (version) => version.step ?? '—'],
    ['inputs', (version) => <InputCommits version={version} />],
    ['files', (version) => `${version.files.length}`],
  ];
  return (
    <div className="space-y-4">
      {header}
      {missing.length > 0 && (
        <ErrorView title="Some versions do not exist" error={missing.map((n) => `v${n}`).join(', ')} />
      )}
      <Panel title="Metrics">
        {metrics.length === 0 ? (
          <p className="text-muted">These versions were saved without metrics.</p>
        ) : (
          <div className="overflow-x-auto">
            <table className="w-full text-left" aria-label="Metrics of the compared versions">
              <thead className="text-xs text-muted uppercase">
                <tr className="border-b border-line">
                  <th scope="col" className={cell}>
                    metric
                  </th>
                  <VersionHeads versions={versions} />
                  {versions.slice(1).map((version) => (
                    <th key={version.version} scope="col" className={`${cell} normal-case`}>
                      Δ v{version.version} − v{base.version}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {metrics.map((key) => (
                  <tr key={key} className="border-b border-line/60">
                    <th scope="row" className={`${cell} font-mono font-normal`}>
                      {key}
                    </th>
                    {versions.map((version) => (
                      <td key={version.version} className={`${cell} font-mono tabular-nums`}>
                        {version.metrics[key] === undefined ? '—' : formatNumber(version.metrics[key])}
                      </td>
                    ))}
                    {versions.slice(1).map((version) => {
                      const a = base.metrics[key];
                      const b = version.metrics[key];
                      return (
                        <td key={version.version} className={`${cell} font-mono text-muted tabular-nums`}>
                          {a === undefined || b === undefined ? '—' : signed(b - a)}
                        </td>
                      );
                    })}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </Panel>
      {metrics.length > 0 && (
        <div className="grid gap-4 md:grid-cols-2 xl:grid-cols-3">
          {metrics.map((key) => (
            <div key={key} className="rounded-lg border border-line bg-panel p-3">
              <BarChart
                title={key}
                xLabel="version"
                yLabel={key}
                bars={versions
                  .map((version, index) => ({
                    label: `v${version.version}`,
                    value: version.metrics[key],
                    color: seriesColor(index),
                  }))
                  .filter(
                    (bar): bar is { label: string; value: number; color: string } => bar.value !== undefined,
                  )}
              />
            </div>
          ))}
        </div>
      )}
      <div className="grid gap-4 xl:grid-cols-2">
        <Panel title="Params">
          {params.length === 0 ? (
            <p className="text-muted">These versions were saved without params.</p>
          ) : (
            <table className="w-full text-left" aria-label="Params of the compared versions">
              <thead className="text-xs text-muted uppercase">
                <tr className="border-b border-line">
                  <th scope="col" className={cell}>
                    param
                  </th>
                  <VersionHeads versions={versions} />
                </tr>
              </thead>
              <tbody>
                {params.map((key) => {
                  const values = versions.map((version) => show(version.params[key]));
                  const differs = new Set(values).size > 1;
                  return (
                    <tr
                      key={key}
                      className={`border-b border-line/60 ${differs ? 'bg-warn/10' : ''}`}
                      data-differs={differs || undefined}
                    >
                      <th scope="row" className={`${cell} font-mono font-normal`}>
                        {key}
                        {differs && <span className="sr-only"> (differs)</span>}
                      </th>
                      {values.map((value, index) => (
                        <td key={versions[index]!.version} className={`${cell} font-mono`}>
                          {value}
                        </td>
                      ))}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
        </Panel>
        <Panel title="Provenance">
          <div className="overflow-x-auto">
            <table className="w-full text-left" aria-label="Provenance of the compared versions">
              <thead className="text-xs text-muted uppercase">
                <tr className="border-b border-line">
                  <th scope="col" className={cell}>
                    field
                  </th>
                  <VersionHeads versions={versions} />
                </tr>
              </thead>
              <tbody>
                {provenance.map(([label, render]) => (
                  <tr key={label} className="border-b border-line/60">
                    <th scope="row" className={`${cell} font-normal text-muted`}>
                      {label}
                    </th>
                    {versions.map((version) => (
                      <td key={version.version} className={cell}>
                        {render(version)}
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </Panel>
      </div>
    </div>
  );
}
