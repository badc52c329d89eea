/** The conformance suite every {@link ObjectStore} implementation passes. */
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ObjectStore } from './object-store.js';

/** Registers the suite; `make` returns a fresh store and a function that flips a byte of a stored object. */
export function describeObjectStoreConformance(
  name: string,
  make: () => Promise<{ objects: ObjectStore; corrupt(hash: string): Promise<void> }>,
): void {
  describe(`${name} object store`, () => {
    it('stores bytes under their SHA-256 and reads them back', async () => {
      const { objects } = await make();
      const data = new TextEncoder().encode('hello sluice');
      const hash = await objects.put(data);
      expect(hash).toBe(createHash('sha256').update(data).digest('hex'));
      expect(await objects.has(hash)).toBe(true);
      expect(new TextDecoder().decode(await objects.get(hash))).toBe('hello sluice');
      expect(await objects.put(data)).toBe(hash);
    });

    it('stores files and writes objects back to files', async () => {
      const { objects } = await make();
      const dir = await mkdtemp(join(tmpdir(), 'sluice-objects-'));
      await writeFile(join(dir, 'a.bin'), Buffer.alloc(300_000, 7));
      const hash = await objects.putFile(join(dir, 'a.bin'));
      await objects.getToFile(hash, join(dir, 'out', 'b.bin'));
      expect(await readFile(join(dir, 'out', 'b.bin'))).toEqual(Buffer.alloc(300_000, 7));
    });

    it('reports a corrupted object instead of serving it', async () => {
      const { objects, corrupt } = await make();
      const hash = await objects.put(new TextEncoder().encode('precious'));
      await corrupt(hash);
      await expect(objects.get(hash)).rejects.toMatchObject({ code: 'OBJECT_CORRUPT' });
      await expect(objects.get(hash)).rejects.toThrow(`object ${hash}`);
    });

    it('deletes an object, and deleting it again is no error', async () => {
      const { objects } = await make();
      const hash = await objects.put(new TextEncoder().encode('transient'));
      await objects.delete(hash);
      expect(await objects.has(hash)).toBe(false);
      await expect(objects.get(hash)).rejects.toThrow('is missing');
      await objects.delete(hash);
      await expect(objects.delete('../x')).rejects.toThrow('is not an object hash');
    });

    it('says an unknown object is missing and rejects a malformed hash', async () => {
      const { objects } = await make();
      expect(await objects.has('0'.repeat(64))).toBe(false);
      await expect(objects.get('0'.repeat(64))).rejects.toThrow('is missing');
      await expect(objects.get('../../etc/passwd')).rejects.toThrow('is not an object hash');
    });
  });
}
