/** `/lineage`: pick a repo commit or a model version to see where it came from and what it fed. */
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { useNavigate } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Button } from '../../components/Button';
import { PageHeader, Panel } from '../../components/Page';
import { Command, EmptyState, ErrorView, Loading } from '../../components/States';
import { formatAgo, shortId } from '../../lib/format';
import { useLog, useRepos } from '../repos/queries';
import { ChoiceSelect } from './ChoiceSelect';

function CommitPicker() {
  const repos = useRepos();
  const navigate = useNavigate();
  const [repo, setRepo] = useState('');
  const [commit, setCommit] = useState('');
  const log = useLog(repo, undefined, 200);
  const withCommits = (repos.data ?? []).filter((entry) => entry.head);
  if (repos.error) return <ErrorView error={repos.error} />;
  if (repos.isPending) return <Loading />;
  if (withCommits.length === 0)
    return (
      <EmptyState title="No commits yet">
        Add data to a repo first; its commits, and everything pipelines make from them, show up here.
        <div className="flex flex-col items-center">
          <Command>sluice repo create images</Command>
          <Command>sluice put images ./folder</Command>
        </div>
      </EmptyState>
    );
  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void navigate(`/lineage/commit/${encodeURIComponent(repo)}/${encodeURIComponent(commit)}`);
      }}
    >
      <ChoiceSelect
        label="Repo"
        value={repo}
        placeholder="choose a repo"
        choices={withCommits.map((entry) => ({ value: entry.name, label: entry.name }))}
        onChange={(next) => {
          setRepo(next);
          setCommit('');
        }}
      />
      <ChoiceSelect
        label="Commit"
        value={commit}
        placeholder={repo ? 'choose a commit' : 'choose a repo first'}
        choices={(repo ? (log.data ?? []) : []).map((entry) => ({
          value: entry.id,
          label: `${shortId(entry.id)} · ${entry.message || '—'} · ${formatAgo(entry.createdAt)}`,
        }))}
        onChange={setCommit}
      />
      <div>
        <Button type="submit" variant="primary" disabled={!repo || !commit}>
          Show lineage
        </Button>
      </div>
    </form>
  );
}

function ModelPicker() {
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [version, setVersion] = useState('');
  const models = useQuery({ queryKey: ['models'], queryFn: () => unwrap(api.GET('/api/models')) });
  const versions = useQuery({
    queryKey: ['models', name, 'versions'],
    enabled: Boolean(name),
    queryFn: () => unwrap(api.GET('/api/models/{name}', { params: { path: { name } } })),
  });
  if (models.error) return <ErrorView error={models.error} />;
  if (models.isPending) return <Loading />;
  if (models.data.length === 0)
    return (
      <EmptyState title="No models yet">
        A pipeline step that saves a model version records the run and the input commits it came from.
      </EmptyState>
    );
  return (
    <form
      className="flex flex-col gap-3"
      onSubmit={(event) => {
        event.preventDefault();
        void navigate(`/lineage/model/${encodeURIComponent(name)}/${encodeURIComponent(version)}`);
      }}
    >
      <ChoiceSelect
        label="Model"
        value={name}
        placeholder="choose a model"
        choices={models.data.map((model) => ({ value: model.name, label: model.name }))}
        onChange={(next) => {
          setName(next);
          setVersion('');
        }}
      />
      <ChoiceSelect
        label="Version"
        value={version}
        placeholder={name ? 'choose a version' : 'choose a model first'}
        choices={(name ? (versions.data ?? []) : []).map((entry) => ({
          value: String(entry.version),
          label: `version ${entry.version}${entry.aliases.length ? ` (${entry.aliases.join(', ')})` : ''} · ${formatAgo(entry.createdAt)}`,
        }))}
        onChange={setVersion}
      />
      <div>
        <Button type="submit" variant="primary" disabled={!name || !version}>
          Show lineage
        </Button>
      </div>
    </form>
  );
}

export function LineagePage() {
  return (
    <div>
      <PageHeader title="Lineage">
        Lineage follows data through pipelines: which input commits and which run made a commit or a model
        version, and what was later derived from it. Choose where to start.
      </PageHeader>
      <div className="grid gap-4 lg:grid-cols-2">
        <Panel title="A commit of a repo">
          <CommitPicker />
        </Panel>
        <Panel title="A model version">
          <ModelPicker />
        </Panel>
      </div>
    </div>
  );
}
