/** Which preview a file gets, by its extension, and how large a file each preview will load. */

/** The kinds of preview. */
export type PreviewKind = 'image' | 'dicom' | 'csv' | 'json' | 'text' | 'binary';

const KINDS: Record<string, PreviewKind> = {
  png: 'image',
  jpg: 'image',
  jpeg: 'image',
  webp: 'image',
  gif: 'image',
  svg: 'image',
  dcm: 'dicom',
  dicom: 'dicom',
  csv: 'csv',
  tsv: 'csv',
  json: 'json',
};
const TEXT = new Set(
  'txt md markdown log yaml yml toml ini cfg conf xml html htm css js mjs cjs ts tsx jsx py r sql sh env jsonl ndjson gitignore dockerfile makefile rst tex'.split(
    ' ',
  ),
);

/** MIME types for image blobs (the server sends some, e.g. SVG, as octet-stream). */
export const IMAGE_TYPES: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  svg: 'image/svg+xml',
};

/** The lower-case extension of a path ('' when none). */
export function extensionOf(path: string): string {
  const name = path.split('/').pop() ?? '';
  const dot = name.lastIndexOf('.');
  return dot < 0 ? name.toLowerCase() : name.slice(dot + 1).toLowerCase();
}

/** The preview for `path`. */
export function previewKind(path: string): PreviewKind {
  const extension = extensionOf(path);
  return KINDS[extension] ?? (TEXT.has(extension) ? 'text' : 'binary');
}

const MIB = 1024 * 1024;
/** Files larger than this are not fetched for a preview (download instead). */
export const PREVIEW_LIMIT: Record<PreviewKind, number> = {
  image: 50 * MIB,
  dicom: 200 * MIB,
  csv: 50 * MIB,
  json: 20 * MIB,
  text: 50 * MIB,
  binary: 0,
};
