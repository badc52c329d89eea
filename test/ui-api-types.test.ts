/**
 * The web UI's API types are generated from the server's OpenAPI document; this fails while
 * the committed `ui/src/api/schema.d.ts` is stale (fix: `npm run api-types`).
 */
import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';
import { TYPES_FILE, generateApiTypes } from '../scripts/api-types.mjs';

describe('the UI API types', () => {
  it('match the OpenAPI document the server publishes', async () => {
    const committed = await readFile(TYPES_FILE, 'utf8');
    const fresh = await generateApiTypes();
    expect(committed === fresh, 'ui/src/api/schema.d.ts is stale: run `npm run api-types`').toBe(true);
  });
});
