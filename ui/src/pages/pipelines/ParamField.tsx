/** One param of the launch form: a control fitting its type, its label, description and error. */
import { RotateCcw } from 'lucide-react';
import { initialValue, valueText, type FieldValue } from './params';
import type { PipelineParam } from './types';

const CONTROL =
  'w-full rounded-md border bg-page px-2.5 py-1.5 text-sm text-fg placeholder:text-muted/70 focus:border-accent';

/** The element id of a param's control (for labels and focusing the first invalid field). */
export const fieldId = (name: string) => `param-${name}`;

function placeholder(param: PipelineParam): string {
  switch (param.type) {
    case 'integer':
      return 'a whole number, e.g. 3';
    case 'number':
      return 'a number, e.g. 0.5';
    case 'model':
      return 'name, name@alias or name:version';
    case 'json':
      return '{ "key": "value" } or [1, 2, 3]';
    default:
      return param.required ? 'required' : '';
  }
}

export function ParamField({
  param,
  value,
  error,
  modelRefs,
  onChange,
  onBlur,
}: {
  param: PipelineParam;
  value: FieldValue;
  error: string | undefined;
  modelRefs: readonly string[];
  onChange: (value: FieldValue) => void;
  onBlur: () => void;
}) {
  const id = fieldId(param.name);
  const errorId = `${id}-error`;
  const described = [param.description ? `${id}-help` : '', error ? errorId : ''].filter(Boolean).join(' ');
  const common = {
    id,
    onBlur,
    'aria-invalid': error !== undefined,
    'aria-required': param.required,
    ...(described ? { 'aria-describedby': described } : {}),
  };
  const border = error ? 'border-bad' : 'border-line';
  const initial = initialValue(param);
  let control;
  if (param.enum) {
    control = (
      <select
        {...common}
        value={String(value)}
        onChange={(e) => onChange(e.target.value)}
        className={`${CONTROL} ${border}`}
      >
        {(param.required || initial === '') && <option value="">choose…</option>}
        {param.enum.map((item, index) => (
          <option key={index} value={String(index)}>
            {valueText(item)}
          </option>
        ))}
      </select>
    );
  } else if (typeof value === 'boolean') {
    control = (
      <label className="inline-flex cursor-pointer items-center gap-2 text-sm">
        <input
          {...common}
          type="checkbox"
          checked={value}
          onChange={(e) => onChange(e.target.checked)}
          className="size-4 accent-[var(--color-accent)]"
        />
        {value ? 'true' : 'false'}
      </label>
    );
  } else if (param.type === 'json') {
    control = (
      <textarea
        {...common}
        value={value}
        rows={Math.min(10, Math.max(3, value.split('\n').length))}
        spellCheck={false}
        placeholder={placeholder(param)}
        onChange={(e) => onChange(e.target.value)}
        className={`${CONTROL} ${border} font-mono`}
      />
    );
  } else {
    control = (
      <>
        <input
          {...common}
          type="text"
          value={value}
          inputMode={param.type === 'integer' ? 'numeric' : param.type === 'number' ? 'decimal' : undefined}
          list={param.type === 'model' ? `${id}-models` : undefined}
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder(param)}
          onChange={(e) => onChange(e.target.value)}
          className={`${CONTROL} ${border} ${param.type === 'string' ? '' : 'font-mono'}`}
        />
        {param.type === 'model' && (
          <p className="text-xs text-muted">
            {modelRefs.length === 0
              ? 'The model registry has no models yet.'
              : `From the registry: ${modelRefs.slice(0, 4).join(', ')}${modelRefs.length > 4 ? ', …' : ''}`}
          </p>
        )}
        {param.type === 'model' && (
          <datalist id={`${id}-models`}>
            {modelRefs.map((ref) => (
              <option key={ref} value={ref} />
            ))}
          </datalist>
        )}
      </>
    );
  }
  return (
    <div className="flex flex-col gap-1" data-param={param.name}>
      <div className="flex items-baseline gap-2">
        <label htmlFor={id} className="font-mono text-sm font-medium">
          {param.name}
          {param.required && (
            <span className="ml-0.5 text-bad" title="required">
              *<span className="sr-only"> (required)</span>
            </span>
          )}
        </label>
        <span className="font-mono text-xs text-info">
          {param.enum ? `one of (${param.type})` : param.type}
        </span>
        {!param.required && JSON.stringify(value) !== JSON.stringify(initial) && (
          <button
            type="button"
            onClick={() => onChange(initial)}
            className="ml-auto inline-flex items-center gap-1 rounded px-1 text-xs text-muted hover:text-fg"
            title={`reset to the default ${valueText(param.default)}`}
          >
            <RotateCcw className="size-3" aria-hidden /> default
          </button>
        )}
      </div>
      {param.description && (
        <p id={`${id}-help`} className="text-xs text-muted">
          {param.description}
        </p>
      )}
      {control}
      <p id={errorId} className="min-h-4 text-xs text-bad" aria-live="polite">
        {error}
      </p>
    </div>
  );
}
