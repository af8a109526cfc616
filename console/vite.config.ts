import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

// The ops console, built by `npm install` (the prepare script) into console/dist and served by the API server at /console/.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  build: { outDir: 'dist', emptyOutDir: true, chunkSizeWarningLimit: 1000 },
  logLevel: 'warn',
});
