/** `/models`: every registered model with its versions, latest version and aliases. */
import { PageHeader } from '../../components/Page';
import { EmptyState, ErrorView, Loading } from '../../components/States';
import { VirtualTable } from '../../components/VirtualTable';
import { formatAgo } from '../../lib/format';
import { AliasChip } from './AliasChip';
import { sortAliases, useModels } from './data';

export function ModelsIndex() {
  const query = useModels();
  return (
    <div>
      <PageHeader title="Models">
        Versions of the models your steps saved, their aliases, metrics and provenance.
      </PageHeader>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorView error={query.error} />
      ) : (
        <VirtualTable
          label="Models"
          rows={query.data}
          rowKey={(model) => model.name}
          rowHref={(model) => `/models/${encodeURIComponent(model.name)}`}
          empty={
            <EmptyState title="No models yet">
              <p>
                A TypeScript step creates a model version with{' '}
                <code className="font-mono">
                  await ctx.registry.save(&apos;my-model&apos;, dir, {'{ metrics: { auc: 0.91 } }'})
                </code>
                ; a command step writes files under{' '}
                <code className="font-mono">$SLUICE_MODELS/my-model/</code> (and optionally{' '}
                <code className="font-mono">my-model.json</code> with metrics and params). Each save adds
                version 1, 2, 3…
              </p>
            </EmptyState>
          }
          columns={[
            {
              id: 'name',
              header: 'model',
              width: 'minmax(12rem, 2fr)',
              cell: (model) => <span className="font-semibold text-accent">{model.name}</span>,
            },
            {
              id: 'versions',
              header: 'versions',
              width: '6rem',
              className: 'tabular-nums',
              cell: (model) => model.versions,
            },
            {
              id: 'latest',
              header: 'latest',
              width: '6rem',
              cell: (model) => (model.latest === null ? '—' : `v${model.latest}`),
            },
            {
              id: 'aliases',
              header: 'aliases',
              width: 'minmax(12rem, 3fr)',
              cell: (model) => (
                <span className="flex gap-1">
                  {sortAliases(Object.keys(model.aliases)).map((alias) => (
                    <AliasChip key={alias} alias={alias} version={model.aliases[alias]} />
                  ))}
                </span>
              ),
            },
            {
              id: 'created',
              header: 'created',
              width: '8rem',
              cell: (model) => <span className="text-muted">{formatAgo(model.createdAt)}</span>,
            },
          ]}
        />
      )}
    </div>
  );
}
