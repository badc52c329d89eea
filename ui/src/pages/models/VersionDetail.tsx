/** One version's files (downloads), metrics, params and provenance (run, inputs, lineage). */
import { Download, GitBranch } from 'lucide-react';
import { useState } from 'react';
import { Link } from 'react-router';
import type { ModelVersion } from '../../api/types';
import { Button, LinkButton } from '../../components/Button';
import { Facts, Panel } from '../../components/Page';
import { ErrorView } from '../../components/States';
import { formatBytes, formatNumber, formatTime } from '../../lib/format';
import { AliasChip } from './AliasChip';
import { downloadFile, sortAliases } from './data';

/** Links to the inputs a version was made from (`/repos/<repo>?ref=<commit>`). */
export function InputCommits({ version }: { version: ModelVersion }) {
  if (version.inputCommits.length === 0) return <span className="text-muted">—</span>;
  return (
    <ul className="space-y-0.5">
      {version.inputCommits.map((input, index) => {
        const repo = String(input.repo ?? '');
        const commit = String(input.commit ?? '');
        return (
          <li key={`${repo}:${commit}:${index}`} className="font-mono text-xs">
            {input.input ? <span className="text-muted">{String(input.input)}: </span> : null}
            <Link
              className="text-accent hover:underline"
              to={`/repos/${encodeURIComponent(repo)}?ref=${encodeURIComponent(commit)}`}
            >
              {repo}@{commit.slice(0, 10)}
            </Link>
          </li>
        );
      })}
    </ul>
  );
}

function KeyValues({ values, empty }: { values: Record<string, unknown>; empty: string }) {
  const entries = Object.entries(values);
  if (entries.length === 0) return <p className="text-muted">{empty}</p>;
  return (
    <Facts
      items={entries.map(([key, value]) => [
        key,
        <span key={key} className="font-mono tabular-nums">
          {typeof value === 'number'
            ? formatNumber(value)
            : typeof value === 'string'
              ? value
              : JSON.stringify(value)}
        </span>,
      ])}
    />
  );
}

export function VersionDetail({ version, onClose }: { version: ModelVersion; onClose: () => void }) {
  const [error, setError] = useState<unknown>(null);
  return (
    <Panel
      title={`${version.name} v${version.version}`}
      actions={
        <div className="flex items-center gap-2">
          <LinkButton to={`/lineage/model/${encodeURIComponent(version.name)}/${version.version}`}>
            <GitBranch className="size-4" aria-hidden />
            Lineage
          </LinkButton>
          <Button variant="ghost" onClick={onClose} aria-label="Close version details">
            Close
          </Button>
        </div>
      }
    >
      <div className="grid gap-6 lg:grid-cols-3">
        <section aria-label="Provenance">
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">Provenance</h3>
          <Facts
            items={[
              ['created', formatTime(version.createdAt)],
              [
                'aliases',
                <span key="a" className="flex flex-wrap gap-1">
                  {version.aliases.length
                    ? sortAliases(version.aliases).map((alias) => <AliasChip key={alias} alias={alias} />)
                    : '—'}
                </span>,
              ],
              [
                'run',
                version.runId ? (
                  <Link
                    key="r"
                    className="font-mono text-accent hover:underline"
                    to={`/runs/${version.runId}`}
                  >
                    {version.runId}
                  </Link>
                ) : (
                  '— (saved outside a run)'
                ),
              ],
              [
                'pipeline',
                version.pipeline ? (
                  <Link
                    key="p"
                    className="text-accent hover:underline"
                    to={`/pipelines/${encodeURIComponent(version.pipeline)}`}
                  >
                    {version.pipeline}
                  </Link>
                ) : (
                  '—'
                ),
              ],
              [
                'pipeline version',
                <span key="pv" className="font-mono text-xs" title={version.pipelineVersion ?? ''}>
                  {version.pipelineVersion?.slice(0, 12) ?? '—'}
                </span>,
              ],
              ['step', version.step ?? '—'],
              ['datum', version.datum || '—'],
              ['inputs', <InputCommits key="i" version={version} />],
            ]}
          />
        </section>
        <section aria-label="Metrics and params">
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">Metrics</h3>
          <KeyValues values={version.metrics} empty="No metrics saved with this version." />
          <h3 className="mt-4 mb-2 text-xs font-semibold tracking-wide text-muted uppercase">Params</h3>
          <KeyValues values={version.params} empty="No params saved with this version." />
        </section>
        <section aria-label="Files">
          <h3 className="mb-2 text-xs font-semibold tracking-wide text-muted uppercase">
            Files ({version.files.length})
          </h3>
          <ul className="space-y-1">
            {version.files.map((file) => (
              <li key={file.path} className="flex items-center justify-between gap-2">
                <span className="min-w-0 truncate font-mono text-xs" title={file.path}>
                  {file.path}
                </span>
                <span className="flex shrink-0 items-center gap-2 text-xs text-muted">
                  {formatBytes(file.size)}
                  <Button
                    variant="ghost"
                    className="px-1.5 py-0.5"
                    aria-label={`Download ${file.path}`}
                    onClick={() => void downloadFile(version, file.path).catch(setError)}
                  >
                    <Download className="size-3.5" aria-hidden />
                  </Button>
                </span>
              </li>
            ))}
          </ul>
          {error !== null && <ErrorView error={error} title="Download failed" />}
        </section>
      </div>
    </Panel>
  );
}
