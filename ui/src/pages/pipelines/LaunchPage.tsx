/**
 * `/pipelines/:name/launch`: a form generated from the pipeline's params (defaults filled,
 * required ones marked, each value checked as the server will), with the JSON body it sends.
 * A launched run opens its page; the server's refusal shows by the form and its field.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Play } from 'lucide-react';
import { useMemo, useState, type FormEvent, type KeyboardEvent } from 'react';
import { useNavigate, useParams } from 'react-router';
import { api, unwrap } from '../../api/client';
import { Button } from '../../components/Button';
import { PageHeader, Panel } from '../../components/Page';
import { ErrorView, Loading } from '../../components/States';
import { CodeBlock } from './CodeBlock';
import { ParamField, fieldId } from './ParamField';
import { buildParams, initialValue, paramOfMessage, type FieldValue } from './params';
import { useModelSuggestions, usePipeline } from './queries';
import type { PipelineParam } from './types';

function LaunchForm({ name, params }: { name: string; params: readonly PipelineParam[] }) {
  const navigate = useNavigate();
  const client = useQueryClient();
  const models = useModelSuggestions();
  const [values, setValues] = useState<Record<string, FieldValue>>(() =>
    Object.fromEntries(params.map((param) => [param.name, initialValue(param)])),
  );
  const [touched, setTouched] = useState<Set<string>>(() => new Set());
  const [submitted, setSubmitted] = useState(false);
  const built = useMemo(() => buildParams(params, values), [params, values]);
  const launch = useMutation({
    mutationFn: (body: Record<string, unknown>) =>
      unwrap(api.POST('/api/pipelines/{name}/runs', { params: { path: { name } }, body: { params: body } })),
    onSuccess: (run) => {
      void client.invalidateQueries({ queryKey: ['runs'] });
      void client.invalidateQueries({ queryKey: ['pipelines'] });
      void navigate(`/runs/${run.id}`);
    },
  });
  const modelRefs = useMemo(
    () =>
      (models.data ?? []).flatMap((model) => [
        model.name,
        ...Object.keys(model.aliases).map((alias) => `${model.name}@${alias}`),
        ...(model.latest ? [`${model.name}:${model.latest}`] : []),
      ]),
    [models.data],
  );
  const serverError = launch.error;
  const serverField = serverError ? paramOfMessage(serverError.message, params) : undefined;
  const shownError = (param: PipelineParam): string | undefined => {
    const error = built.errors[param.name];
    const raw = values[param.name];
    const typed = typeof raw === 'string' && raw.trim() !== '';
    if (error && (submitted || touched.has(param.name) || typed)) return error;
    if (serverField === param.name && serverError) return serverError.message.split('\n')[0];
    return undefined;
  };
  const submit = (event?: FormEvent) => {
    event?.preventDefault();
    setSubmitted(true);
    const invalid = params.find((param) => built.errors[param.name]);
    if (invalid) {
      document.getElementById(fieldId(invalid.name))?.focus();
      return;
    }
    launch.reset();
    launch.mutate(built.params);
  };
  const onKeyDown = (event: KeyboardEvent) => {
    if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) submit();
  };
  const errorCount = Object.keys(built.errors).length;
  return (
    <div className="grid items-start gap-4 lg:grid-cols-[minmax(0,1fr)_minmax(18rem,26rem)]">
      <form onSubmit={submit} onKeyDown={onKeyDown} noValidate aria-label={`Launch ${name}`}>
        <Panel title="Params">
          {params.length === 0 ? (
            <p className="text-muted">This pipeline takes no params: launching runs it on the latest data.</p>
          ) : (
            <div className="flex flex-col gap-3">
              {params.map((param) => (
                <ParamField
                  key={param.name}
                  param={param}
                  value={values[param.name] ?? initialValue(param)}
                  error={shownError(param)}
                  modelRefs={modelRefs}
                  onChange={(value) => {
                    setValues((prev) => ({ ...prev, [param.name]: value }));
                    if (launch.isError) launch.reset();
                  }}
                  onBlur={() => setTouched((prev) => new Set(prev).add(param.name))}
                />
              ))}
            </div>
          )}
          {serverError && (
            <div className="mt-4">
              <ErrorView error={serverError} title="The server refused the launch" />
            </div>
          )}
          <div className="mt-4 flex flex-wrap items-center gap-3 border-t border-line pt-4">
            <Button type="submit" variant="primary" disabled={launch.isPending}>
              <Play className="size-4" aria-hidden /> {launch.isPending ? 'Launching…' : 'Launch run'}
            </Button>
            <span className="text-xs text-muted" aria-live="polite">
              {submitted && errorCount > 0
                ? `Fix ${errorCount} field${errorCount === 1 ? '' : 's'}: ${Object.keys(built.errors).join(', ')}`
                : 'Ctrl+Enter launches from any field'}
            </span>
          </div>
        </Panel>
      </form>
      <Panel title="Request" className="lg:sticky lg:top-0">
        <p className="mb-2 font-mono text-xs text-muted">POST /api/pipelines/{name}/runs</p>
        <CodeBlock text={JSON.stringify({ params: built.params }, null, 2)} label="Request body" />
        {errorCount > 0 && (
          <p className="mt-2 text-xs text-warn">
            Not sent while invalid: {Object.keys(built.errors).join(', ')}
          </p>
        )}
        <p className="mt-2 text-xs text-muted">Params left empty take their defaults on the server.</p>
      </Panel>
    </div>
  );
}

export function LaunchPage() {
  const name = useParams().name ?? '';
  const query = usePipeline(name);
  const crumbs = [
    { label: 'Pipelines', to: '/pipelines' },
    { label: name, to: `/pipelines/${name}` },
  ];
  return (
    <>
      <PageHeader title={`Launch ${name}`} crumbs={crumbs}>
        {query.data?.definition?.description}
      </PageHeader>
      {query.isPending ? (
        <Loading />
      ) : query.isError ? (
        <ErrorView error={query.error} title={`Cannot load pipeline ${name}`} />
      ) : !query.data.definition ? (
        <ErrorView
          title="The spec file does not load, so the pipeline cannot launch"
          error={query.data.problems.join('\n')}
        />
      ) : (
        <LaunchForm name={name} params={query.data.definition.params} />
      )}
    </>
  );
}
