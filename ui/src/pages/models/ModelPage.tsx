/** `/models/:name`: versions with metrics and params, aliases, a version's details, compare. */
import { GitCompare, Tag } from 'lucide-react';
import { useState, type MouseEvent } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import type { ModelVersion } from '../../api/types';
import { Button } from '../../components/Button';
import { PageHeader, Panel } from '../../components/Page';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatNumber } from '../../lib/format';
import { AliasChip } from './AliasChip';
import { AliasDialog } from './AliasDialog';
import { keysOf, sortAliases, useAliasMutations, useVersions } from './data';
import { VersionDetail } from './VersionDetail';

/** Keeps a click inside a row (checkbox, link) from also opening the row. */
const stop = (event: MouseEvent) => event.stopPropagation();

export function ModelPage() {
  const name = useParams().name!;
  const [search, setSearch] = useSearchParams();
  const navigate = useNavigate();
  const query = useVersions(name);
  const { remove } = useAliasMutations(name);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [aliasOpen, setAliasOpen] = useState(false);
  const open = Number(search.get('version')) || null;
  if (query.isPending) return <Loading />;
  if (query.isError) return <ErrorView error={query.error} />;
  const versions = query.data;
  const { metrics, params } = keysOf(versions);
  const current = versions.find((version) => version.version === open);
  const toggle = (version: number) =>
    setSelected((prev) => {
      const next = new Set(prev);
      if (next.has(version)) next.delete(version);
      else next.add(version);
      return next;
    });
  const aliases = versions.flatMap((version) =>
    version.aliases
      .filter((alias) => alias !== 'latest')
      .map((alias) => ({ alias, version: version.version })),
  );
  const columns: Column<ModelVersion>[] = [
    {
      id: 'select',
      width: '2.5rem',
      header: <span className="sr-only">select</span>,
      cell: (version) => (
        <input
          type="checkbox"
          className="accent-accent"
          aria-label={`Select version ${version.version}`}
          checked={selected.has(version.version)}
          onClick={stop}
          onChange={() => toggle(version.version)}
        />
      ),
    },
    {
      id: 'version',
      header: 'version',
      width: '5.5rem',
      cell: (version) => (
        <span
          className={`font-mono font-semibold ${version.version === open ? 'rounded bg-accent px-1.5 py-0.5 text-accent-fg' : 'text-accent'}`}
        >
          v{version.version}
        </span>
      ),
    },
    {
      id: 'aliases',
      header: 'aliases',
      width: 'minmax(8rem, 1.5fr)',
      cell: (version) => (
        <span className="flex gap-1">
          {sortAliases(version.aliases).map((alias) => (
            <AliasChip key={alias} alias={alias} />
          ))}
        </span>
      ),
    },
    ...metrics.map<Column<ModelVersion>>((key) => ({
      id: `m:${key}`,
      header: (
        <span className="normal-case text-accent" title={key}>
          {key}
        </span>
      ),
      width: 'minmax(5.5rem, 1fr)',
      className: 'text-right font-mono tabular-nums',
      cell: (version) => (version.metrics[key] === undefined ? '—' : formatNumber(version.metrics[key])),
    })),
    {
      id: 'params',
      header: 'params',
      width: 'minmax(8rem, 2fr)',
      cell: (version) => (
        <span className="font-mono text-xs text-muted" title={JSON.stringify(version.params)}>
          {params
            .filter((key) => key in version.params)
            .map(
              (key) =>
                `${key}=${typeof version.params[key] === 'string' ? version.params[key] : JSON.stringify(version.params[key])}`,
            )
            .join(' ') || '—'}
        </span>
      ),
    },
    {
      id: 'run',
      header: 'run',
      width: '7.5rem',
      cell: (version) =>
        version.runId ? (
          <Link
            onClick={stop}
            className="font-mono text-accent hover:underline"
            to={`/runs/${version.runId}`}
          >
            {version.runId.slice(0, 10)}
          </Link>
        ) : (
          '—'
        ),
    },
    { id: 'pipeline', header: 'pipeline', width: '7rem', cell: (version) => version.pipeline ?? '—' },
    {
      id: 'created',
      header: 'created',
      width: '6.5rem',
      cell: (version) => <span className="text-muted">{formatAgo(version.createdAt)}</span>,
    },
  ];
  const compareIds = [...selected].sort((a, b) => a - b);
  return (
    <div className="space-y-4">
      <PageHeader
        title={name}
        crumbs={[{ label: 'Models', to: '/models' }]}
        actions={
          <>
            <Button onClick={() => setAliasOpen(true)} disabled={versions.length === 0}>
              <Tag className="size-4" aria-hidden />
              Set alias
            </Button>
            <Button
              variant="primary"
              disabled={compareIds.length < 2}
              title={compareIds.length < 2 ? 'Select two or more versions' : undefined}
              onClick={() =>
                void navigate(`/models/${encodeURIComponent(name)}/compare?versions=${compareIds.join(',')}`)
              }
            >
              <GitCompare className="size-4" aria-hidden />
              Compare{compareIds.length > 0 ? ` ${compareIds.length}` : ''}
            </Button>
          </>
        }
      >
        {versions.length} version{versions.length === 1 ? '' : 's'}. Select versions to compare them; click a
        row for its files and provenance.
      </PageHeader>
      {aliases.length > 0 && (
        <div className="flex flex-wrap items-center gap-2" aria-label="Aliases">
          <span className="text-xs text-muted">Aliases</span>
          {aliases.map(({ alias, version }) => (
            <AliasChip key={alias} alias={alias} version={version} onRemove={() => remove.mutate(alias)} />
          ))}
        </div>
      )}
      {remove.isError && <ErrorView error={remove.error} title="Could not remove the alias" />}
      <VirtualTable
        label="Model versions"
        rows={versions}
        columns={columns}
        rowKey={(version) => String(version.version)}
        rowHref={(version) => `/models/${encodeURIComponent(name)}?version=${version.version}`}
        maxHeight="50vh"
        empty={
          <EmptyState title="No versions left">
            Every version was removed. A step saves a new one with{' '}
            <code className="font-mono">ctx.registry.save(&apos;{name}&apos;, dir)</code>.
          </EmptyState>
        }
      />
      {open !== null &&
        (current ? (
          <VersionDetail
            version={current}
            onClose={() =>
              setSearch((prev) => {
                const next = new URLSearchParams(prev);
                next.delete('version');
                return next;
              })
            }
          />
        ) : (
          <Panel>
            <ErrorView error={`${name} has no version ${open}.`} title="No such version" />
          </Panel>
        ))}
      <AliasDialog
        name={name}
        versions={versions}
        initialVersion={current?.version}
        open={aliasOpen}
        onOpenChange={setAliasOpen}
      />
    </div>
  );
}
