/** A pipeline's params: name, type, default (or required) and description. */
import { valueText } from './params';
import type { PipelineParam } from './types';

export function ParamsTable({ params }: { params: readonly PipelineParam[] }) {
  if (params.length === 0) return <p className="text-muted">No params: runs need no values.</p>;
  return (
    <ul className="flex flex-col gap-2">
      {params.map((param) => (
        <li key={param.name} className="min-w-0">
          <div className="flex flex-wrap items-baseline gap-x-2">
            <span className="font-mono font-medium">{param.name}</span>
            <span className="font-mono text-xs text-info">
              {param.enum ? `enum<${param.type}>` : param.type}
            </span>
            {param.required ? (
              <span className="text-xs font-medium text-warn">required</span>
            ) : (
              <span className="truncate font-mono text-xs text-muted">= {valueText(param.default)}</span>
            )}
          </div>
          {param.description && <div className="text-xs text-muted">{param.description}</div>}
        </li>
      ))}
    </ul>
  );
}
