/**
 * A DICOM slice drawn greyscale on a canvas with its window (from the file, or the pixels'
 * range), adjustable; key tags beside it. Compressed transfer syntaxes get a clear message.
 */
import { useEffect, useMemo, useRef, useState } from 'react';
import { Button } from '../../../components/Button';
import { Facts } from '../../../components/Page';
import { decodeDicom, DicomPreviewError, toGreyscale, type DicomImage } from './dicom';

function useBuffer(blob: Blob): ArrayBuffer | null {
  const [buffer, setBuffer] = useState<ArrayBuffer | null>(null);
  useEffect(() => {
    let live = true;
    void blob.arrayBuffer().then((value) => live && setBuffer(value));
    return () => {
      live = false;
    };
  }, [blob]);
  return buffer;
}

function NumberField({
  label,
  value,
  onChange,
}: {
  label: string;
  value: number;
  onChange: (value: number) => void;
}) {
  return (
    <label className="flex items-center gap-1.5 text-muted">
      {label}
      <input
        type="number"
        value={Math.round(value * 100) / 100}
        onChange={(event) =>
          Number.isFinite(event.target.valueAsNumber) && onChange(event.target.valueAsNumber)
        }
        className="w-24 rounded-md border border-line bg-page px-2 py-1 text-fg tabular-nums"
      />
    </label>
  );
}

function Slice({ image }: { image: DicomImage }) {
  const canvas = useRef<HTMLCanvasElement>(null);
  const [levels, setLevels] = useState(image.window);
  useEffect(() => setLevels(image.window), [image]);
  useEffect(() => {
    const context = canvas.current?.getContext('2d');
    if (!context) return;
    context.putImageData(new ImageData(toGreyscale(image, levels), image.width, image.height), 0, 0);
  }, [image, levels]);
  const display = Math.max(image.width, Math.min(512, image.width * 4));
  return (
    <div>
      <div className="mb-2 flex flex-wrap items-center gap-3">
        <NumberField
          label="Window centre"
          value={levels.center}
          onChange={(center) => setLevels({ ...levels, center })}
        />
        <NumberField
          label="width"
          value={levels.width}
          onChange={(width) => setLevels({ ...levels, width: Math.max(1, width) })}
        />
        <Button variant="ghost" onClick={() => setLevels(image.window)}>
          Reset ({image.window.fromFile ? 'from the file' : 'auto'})
        </Button>
      </div>
      <div className="overflow-auto rounded-md bg-black p-2">
        <canvas
          ref={canvas}
          width={image.width}
          height={image.height}
          aria-label={`DICOM image, ${image.width} by ${image.height} pixels`}
          role="img"
          className="mx-auto block max-w-full"
          style={{ width: display, imageRendering: image.width < display ? 'pixelated' : 'auto' }}
        />
      </div>
    </div>
  );
}

export function DicomPreview({ blob }: { blob: Blob }) {
  const buffer = useBuffer(blob);
  const [frame, setFrame] = useState(0);
  const decoded = useMemo(() => {
    if (!buffer) return null;
    try {
      return { image: decodeDicom(buffer, frame) };
    } catch (error) {
      return {
        error: error instanceof DicomPreviewError ? error.message : `cannot decode: ${String(error)}`,
      };
    }
  }, [buffer, frame]);
  if (!decoded) return null;
  if ('error' in decoded)
    return (
      <div role="note" className="rounded-lg border border-warn/40 bg-warn/10 p-4">
        <div className="font-semibold">No preview for this DICOM file</div>
        <div className="mt-1 text-muted first-letter:uppercase">{decoded.error}</div>
      </div>
    );
  const { image } = decoded;
  const { tags } = image;
  return (
    <div className="grid gap-4 2xl:grid-cols-[minmax(0,1fr)_16rem]">
      <div>
        {tags.frames > 1 && (
          <label className="mb-2 flex items-center gap-2 text-muted">
            Frame {frame + 1} of {tags.frames}
            <input
              type="range"
              min={0}
              max={tags.frames - 1}
              value={frame}
              onChange={(event) => setFrame(event.target.valueAsNumber)}
              className="flex-1"
            />
          </label>
        )}
        <Slice image={image} />
      </div>
      <Facts
        items={[
          ['Patient', tags.patientId || tags.patientName || '—'],
          ['Modality', tags.modality || '—'],
          ...(tags.studyDate ? [['Study date', tags.studyDate] as [string, string]] : []),
          ...(tags.seriesDescription ? [['Series', tags.seriesDescription] as [string, string]] : []),
          ['Size', `${tags.rows} × ${tags.columns}`],
          ['Bits', `${tags.bitsStored} of ${tags.bitsAllocated}, ${tags.signed ? 'signed' : 'unsigned'}`],
          ['Photometric', tags.photometric],
          ['Rescale', `× ${tags.slope} + ${tags.intercept}`],
          ['Transfer syntax', <span title={tags.transferSyntax}>{tags.transferSyntaxName}</span>],
        ]}
      />
    </div>
  );
}
