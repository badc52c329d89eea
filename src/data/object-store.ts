/**
 * The object-store interface: immutable blobs addressed by the SHA-256 of their content.
 * One folder per implementation (`local/` now; S3-compatible with [cluster]); every
 * implementation passes `object-store.case.ts`.
 */

/** Hex SHA-256 of an object's bytes. */
export type ObjectHash = string;

/** Content-addressed blob storage. Writes are atomic and durable before they resolve. */
export interface ObjectStore {
  /** Stores bytes; resolves to their hash once they are durable (idempotent). */
  put(data: Uint8Array): Promise<ObjectHash>;
  /** Stores a file's content without reading it whole into memory; resolves to its hash. */
  putFile(path: string): Promise<ObjectHash>;
  /**
   * Stores many files; resolves to their hashes (in order) once all are durable. Cheaper than
   * `putFile` one by one: the batch is made durable together.
   */
  putFiles(paths: string[], onProgress?: (done: number, total: number) => void): Promise<ObjectHash[]>;
  /** Reads an object, verifying its hash; `OBJECT_CORRUPT` if it does not match. */
  get(hash: ObjectHash): Promise<Uint8Array>;
  /**
   * Writes an object's content to `dest` (creating parent directories), verifying its hash.
   * The copy is a working copy: it is not fsynced.
   */
  getToFile(hash: ObjectHash, dest: string): Promise<void>;
  has(hash: ObjectHash): Promise<boolean>;
  /** The size of a stored object in bytes; `IO` when it is missing. */
  size(hash: ObjectHash): Promise<number>;
  /**
   * Removes an object (nothing when it is absent). Only for objects nothing else refers to:
   * content addressing means another writer of the same bytes shares the object.
   */
  delete(hash: ObjectHash): Promise<void>;
}

/**
 * A set of files as a step value: relative path -> object hash, ordered by path.
 * Steps see it as a directory laid out again; it is stored as this manifest.
 */
export interface FileSetValue {
  $files: Record<string, ObjectHash>;
}

/** Whether a step value is a {@link FileSetValue}. */
export function isFileSetValue(value: unknown): value is FileSetValue {
  return (
    typeof value === 'object' &&
    value !== null &&
    !Array.isArray(value) &&
    Object.keys(value).length === 1 &&
    typeof (value as { $files?: unknown }).$files === 'object' &&
    (value as { $files?: unknown }).$files !== null
  );
}
