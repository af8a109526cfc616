import type http from 'node:http';
import type { Express, Request } from 'express';
import { ruruHTML, type RuruClientConfig } from 'ruru/server';
import { serveStatic } from 'ruru/static';

const EXPLORER_PATH = '/explorer';
const STATIC_PATH = `${EXPLORER_PATH}/static/`;
/** Where the page keeps the token for this tab only (sessionStorage: gone when the tab closes). */
const TOKEN_KEY = 'explorer:token';

const STARTER_QUERY = `# Paste an access token above (or write an Authorization header in the headers pane), then run:
query Viewer {
  viewer {
    role
    tenant { id name }
  }
}
`;

/** The token bar above the explorer: the place for the bearer token. */
const TOKEN_BAR = `
<form id="token-bar" style="display:flex;gap:8px;align-items:center;padding:6px 12px;font:14px system-ui,sans-serif;border-bottom:1px solid #ccc">
  <label for="token">Access token / 访问令牌</label>
  <input id="token" name="token" type="password" autocomplete="off" placeholder="bpat_..." style="flex:1;max-width:420px;font:inherit;padding:2px 6px">
  <button type="submit">Use / 使用</button>
  <button type="button" id="forget-token">Forget / 清除</button>
  <span id="token-state"></span>
</form>`;

/**
 * The token bar's token goes with every request to this server's /graphql that carries no
 * Authorization of its own (one written in the headers pane wins): HTTP requests, introspection
 * included (GraphiQL introspects before its headers pane exists), and the connection_init of a
 * graphql-ws subscription. A classic script: it runs before Ruru's modules load.
 */
const TOKEN_SCRIPT = `
<script>
  (() => {
    const key = ${JSON.stringify(TOKEN_KEY)};
    const token = () => sessionStorage.getItem(key);
    const isApi = (url) => url.host === location.host && url.pathname === "/graphql";
    const send = window.fetch.bind(window);
    window.fetch = (input, init = {}) => {
      const headers = new Headers(init.headers);
      if (!token() || !isApi(new URL(input instanceof Request ? input.url : String(input), location.href)) || headers.has("authorization")) return send(input, init);
      headers.set("authorization", "Bearer " + token());
      return send(input, { ...init, headers });
    };
    window.WebSocket = class extends window.WebSocket {
      send(data) {
        const message = token() && typeof data === "string" && isApi(new URL(this.url)) ? JSON.parse(data) : null;
        const hasAuthorization = Object.keys(message?.payload ?? {}).some((name) => name.toLowerCase() === "authorization");
        if (message?.type === "connection_init" && !hasAuthorization)
          data = JSON.stringify({ ...message, payload: { ...message.payload, authorization: "Bearer " + token() } });
        super.send(data);
      }
    };
    addEventListener("DOMContentLoaded", () => {
      const state = document.getElementById("token-state");
      const show = () => (state.textContent = token() ? "token set for this tab / 本标签页已设置令牌" : "no token / 未设置令牌");
      // The schema is read again with the new token (GraphiQL's own re-fetch button).
      const refetchSchema = () => document.querySelector('[aria-label^="Re-fetch GraphQL schema"]')?.click();
      show();
      document.getElementById("token-bar").addEventListener("submit", (event) => {
        event.preventDefault();
        const field = document.getElementById("token");
        const value = field.value.trim().replace(/^Bearer\\s+/i, "");
        if (!value) return;
        sessionStorage.setItem(key, value);
        field.value = "";
        show();
        refetchSchema();
      });
      document.getElementById("forget-token").addEventListener("click", () => {
        sessionStorage.removeItem(key);
        show();
        refetchSchema();
      });
    });
  })();
</script>`;

/** ws:// or wss:// to this server's /graphql, as the browser reached it. */
function subscriptionEndpoint(request: Request): string {
  return `${request.protocol === 'https' ? 'wss' : 'ws'}://${request.get('host')}/graphql`;
}

/**
 * The API explorer at /explorer: Ruru (a GraphiQL 5 build) with every asset served from the npm
 * package by this server, never a CDN, so it works on a network without internet. Queries and
 * mutations go to /graphql over HTTP, subscriptions over graphql-ws; the token bar's token, kept
 * for the browser tab only, goes with both and with introspection.
 * A browser opening /graphql or / is sent here.
 */
export function mountExplorer(app: Express): void {
  const assets = serveStatic(STATIC_PATH);
  app.get(/^\/explorer\/static\//, (request, response, next) => assets(request as http.IncomingMessage, response, next));
  app.get(EXPLORER_PATH, (request, response) => {
    const page = ruruHTML({
      staticPath: STATIC_PATH,
      endpoint: '/graphql',
      subscriptionEndpoint: subscriptionEndpoint(request),
      // Ruru types its client settings as GraphiQL's props picked whole, though each is optional there.
      clientConfig: { defaultQuery: STARTER_QUERY, isHeadersEditorEnabled: true } as RuruClientConfig,
      htmlParts: {
        titleTag: '<title>AI billing API explorer / API 浏览器</title>',
        configScript: (original) => original + TOKEN_SCRIPT,
        styleTags: (original) => original.replace('height: 100vh;', 'height: calc(100vh - 42px);'),
        bodyContent: (original) => TOKEN_BAR + original,
      },
    });
    response.setHeader('cache-control', 'no-store');
    response.type('html').send(page);
  });
  // A person who opens the API's address in a browser gets the explorer; programs asking for JSON get the API.
  app.get(['/', '/graphql'], (request, response, next) => {
    if (request.path === '/graphql' && (Object.keys(request.query).length > 0 || request.accepts(['json', 'html']) !== 'html')) {
      next();
      return;
    }
    response.redirect(302, EXPLORER_PATH);
  });
}
