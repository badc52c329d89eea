/** An alias as a chip (`production`), with an optional remove button. */
import { X } from 'lucide-react';

export function AliasChip({
  alias,
  version,
  onRemove,
}: {
  alias: string;
  version?: number;
  onRemove?: () => void;
}) {
  const latest = alias === 'latest';
  return (
    <span
      className={`inline-flex items-center gap-1 rounded-full px-2 py-0.5 font-mono text-xs ${latest ? 'bg-muted/15 text-muted' : 'bg-accent/15 text-accent'}`}
      data-alias={alias}
    >
      @{alias}
      {version !== undefined && <span className="opacity-80">→ v{version}</span>}
      {onRemove && !latest && (
        <button
          type="button"
          className="-mr-1 rounded-full p-0.5 hover:bg-accent/20"
          aria-label={`Remove alias ${alias}`}
          onClick={(event) => {
            event.stopPropagation();
            onRemove();
          }}
        >
          <X className="size-3" aria-hidden />
        </button>
      )}
    </span>
  );
}
