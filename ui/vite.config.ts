// The web UI's build: React + Tailwind, emitted to dist/ui where `sluice dev`/`sluice server`
// serve it. `npm run ui:dev` serves it with hot reload, proxying the API to SLUICE_URL.
import { fileURLToPath } from 'node:url';
import tailwindcss from '@tailwindcss/vite';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const api = process.env.SLUICE_URL ?? 'http://127.0.0.1:7420';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react(), tailwindcss()],
  build: {
    outDir: fileURLToPath(new URL('../dist/ui', import.meta.url)),
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
  },
  server: { proxy: { '/api': api, '/metrics': api } },
});
