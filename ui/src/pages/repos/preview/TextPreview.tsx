/** A text file's first 256 KiB, as preformatted text. */
import { useEffect, useState } from 'react';
import { formatBytes } from '../../../lib/format';

/** How much of a text file is shown. */
export const TEXT_LIMIT = 256 * 1024;

/** The first {@link TEXT_LIMIT} bytes of `blob` as text (a cut UTF-8 sequence becomes �). */
export function useBlobText(blob: Blob, limit = Number.POSITIVE_INFINITY): string | null {
  const [text, setText] = useState<string | null>(null);
  useEffect(() => {
    let live = true;
    void blob
      .slice(0, Math.min(blob.size, limit))
      .text()
      .then((value) => live && setText(value));
    return () => {
      live = false;
    };
  }, [blob, limit]);
  return text;
}

export function TextPreview({ blob }: { blob: Blob }) {
  const text = useBlobText(blob, TEXT_LIMIT);
  if (text === null) return null;
  return (
    <div>
      {blob.size > TEXT_LIMIT && (
        <p className="mb-2 text-muted">
          Showing the first {formatBytes(TEXT_LIMIT)} of {formatBytes(blob.size)}; download the file for the
          rest.
        </p>
      )}
      <pre className="max-h-[65vh] overflow-auto rounded-md bg-sunken p-3 font-mono text-xs whitespace-pre-wrap">
        {text}
      </pre>
    </div>
  );
}
