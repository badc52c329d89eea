/** A JSON file as a collapsible tree (objects and arrays fold), or its text when it does not parse. */
import { useMemo, type ReactNode } from 'react';
import { formatBytes } from '../../../lib/format';
import { TEXT_LIMIT, TextPreview, useBlobText } from './TextPreview';

/** Above this size the tree would be slow; the text is shown instead. */
const TREE_LIMIT = 2 * 1024 * 1024;
/** Children shown per object or array before "… N more". */
const MAX_CHILDREN = 500;

function Scalar({ value }: { value: unknown }) {
  if (typeof value === 'string') return <span className="text-ok">{JSON.stringify(value)}</span>;
  if (typeof value === 'number') return <span className="text-info">{String(value)}</span>;
  if (typeof value === 'boolean') return <span className="text-warn">{String(value)}</span>;
  return <span className="text-muted">null</span>;
}

function Node({ name, value, depth }: { name: ReactNode; value: unknown; depth: number }) {
  const label = name === null ? null : <span className="text-accent">{name}</span>;
  if (value === null || typeof value !== 'object')
    return (
      <div className="pl-4">
        {label}
        {label && ': '}
        <Scalar value={value} />
      </div>
    );
  const entries: [string, unknown][] = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : Object.entries(value as Record<string, unknown>);
  const [open, close] = Array.isArray(value) ? ['[', ']'] : ['{', '}'];
  return (
    <details open={depth < 2} className="pl-4 [&[open]>summary_.closed]:hidden">
      <summary className="cursor-pointer select-none">
        {label}
        {label && ': '}
        {open}
        <span className="closed text-muted">
          {' '}
          {entries.length} {Array.isArray(value) ? 'item' : 'key'}
          {entries.length === 1 ? '' : 's'} {close}
        </span>
      </summary>
      {entries.slice(0, MAX_CHILDREN).map(([key, item]) => (
        <Node
          key={key}
          name={Array.isArray(value) ? key : JSON.stringify(key)}
          value={item}
          depth={depth + 1}
        />
      ))}
      {entries.length > MAX_CHILDREN && (
        <div className="pl-4 text-muted">… {entries.length - MAX_CHILDREN} more</div>
      )}
      <div>{close}</div>
    </details>
  );
}

export function JsonPreview({ blob }: { blob: Blob }) {
  const text = useBlobText(blob, TREE_LIMIT + 1);
  const parsed = useMemo(() => {
    if (text === null || blob.size > TREE_LIMIT) return undefined;
    try {
      return { value: JSON.parse(text) as unknown };
    } catch (error) {
      return { error: (error as Error).message };
    }
  }, [blob.size, text]);
  if (text === null) return null;
  if (!parsed || 'error' in parsed)
    return (
      <div>
        <p className="mb-2 text-muted">
          {parsed
            ? `Not valid JSON (${parsed.error}); showing the text.`
            : `Too large for the tree view (${formatBytes(blob.size)}); showing the first ${formatBytes(TEXT_LIMIT)}.`}
        </p>
        <TextPreview blob={blob} />
      </div>
    );
  return (
    <div
      role="tree"
      aria-label="JSON"
      className="max-h-[65vh] overflow-auto rounded-md bg-sunken p-3 font-mono text-xs leading-5 [&>*]:pl-0"
    >
      <Node name={null} value={parsed.value} depth={0} />
    </div>
  );
}
