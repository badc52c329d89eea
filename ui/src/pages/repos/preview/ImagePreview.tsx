/** An image file shown from a blob URL, fitted to the panel or at actual size. */
import { useEffect, useState } from 'react';
import { Button } from '../../../components/Button';
import { extensionOf, IMAGE_TYPES } from './file-kind';

export function ImagePreview({ blob, path }: { blob: Blob; path: string }) {
  const [url, setUrl] = useState<string | null>(null);
  const [size, setSize] = useState<{ width: number; height: number } | null>(null);
  const [actual, setActual] = useState(false);
  const [failed, setFailed] = useState(false);
  useEffect(() => {
    // NOTE: re-typed so SVG (served as octet-stream) renders; <img> never runs its scripts.
    const typed = new Blob([blob], { type: IMAGE_TYPES[extensionOf(path)] ?? blob.type });
    const next = URL.createObjectURL(typed);
    setUrl(next);
    return () => URL.revokeObjectURL(next);
  }, [blob, path]);
  if (failed) return <p className="text-bad">The browser could not decode this image.</p>;
  return (
    <div>
      <div className="mb-2 flex items-center justify-between gap-2 text-muted">
        <span>{size ? `${size.width} × ${size.height} px` : ' '}</span>
        <Button variant="ghost" onClick={() => setActual((value) => !value)} aria-pressed={actual}>
          {actual ? 'Fit to panel' : 'Actual size'}
        </Button>
      </div>
      <div
        className="overflow-auto rounded-md border border-line bg-sunken p-2"
        style={{ maxHeight: '70vh' }}
      >
        {url && (
          <img
            src={url}
            alt={path}
            onLoad={(event) =>
              setSize({ width: event.currentTarget.naturalWidth, height: event.currentTarget.naturalHeight })
            }
            onError={() => setFailed(true)}
            className={actual ? 'max-w-none' : 'mx-auto max-h-[65vh] max-w-full object-contain'}
            style={
              actual
                ? undefined
                : {
                    imageRendering: size && size.width < 256 ? 'pixelated' : 'auto',
                    minWidth: size && size.width < 256 ? Math.min(size.width * 4, 512) : undefined,
                  }
            }
          />
        )}
      </div>
    </div>
  );
}
