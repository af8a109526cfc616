import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import express, { type Express } from 'express';

/** Where `npm install` builds the console (console/vite.config.ts), from src/platform or dist/src/platform. */
const BUILT = ['../../console/dist', '../../../console/dist']
  .map((relative) => fileURLToPath(new URL(relative, import.meta.url)))
  .find((folder) => existsSync(folder));

/**
 * The ops console at /console/: a React app (console/) on the API's typed operations, signed in
 * with an access token. Its hashed assets are cached for good; the page itself never. Unbuilt (a
 * checkout without `npm install`), /console/ says how to build it.
 */
export function mountConsole(app: Express): void {
  app.get(/^\/console$/, (_request, response) => response.redirect(301, '/console/'));
  if (!BUILT) {
    app.get(/^\/console\//, (_request, response) => {
      response.status(503).type('text').send('The ops console is not built: `npm install` builds it (or `npm run build:console`).');
    });
    return;
  }
  app.use('/console/assets', express.static(`${BUILT}/assets`, { immutable: true, maxAge: '1y', fallthrough: false }));
  app.get(/^\/console\//, (_request, response) => {
    response.setHeader('cache-control', 'no-store');
    response.sendFile(`${BUILT}/index.html`);
  });
}
