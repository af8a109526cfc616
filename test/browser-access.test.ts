import { mkdirSync } from 'node:fs';
import type { Browser, Page } from 'playwright-core';
import { TenantCreateDocument } from './generated/graphql.js';
import { Role } from '../src/platform/auth/roles.js';
import { launchChromium, offline, pageOrigin } from './support/browser.js';
import { startTestApp, type TestApp } from './support/harness.js';

/** Where the browser tests leave what a person would have seen. */
const SCREENSHOTS = 'test-results/screenshots';

let test: TestApp;
let adminToken: string;
let browser: Browser;
let allowed: Awaited<ReturnType<typeof pageOrigin>>;
let refused: Awaited<ReturnType<typeof pageOrigin>>;

beforeAll(async () => {
  [allowed, refused] = await Promise.all([pageOrigin(), pageOrigin()]);
  test = await startTestApp({ corsOrigins: [allowed.origin] });
  adminToken = await test.tokenFor(Role.PLATFORM_ADMIN);
  browser = await launchChromium();
  mkdirSync(SCREENSHOTS, { recursive: true });
}, 60_000);
afterAll(async () => {
  await browser?.close();
  await test?.stop();
  await Promise.all([allowed?.close(), refused?.close()]);
});

async function pageOn(origin: string): Promise<Page> {
  const page = await (await browser.newContext()).newPage();
  await page.goto(origin);
  return page;
}

/** What a portal's script gets from fetch: the answer, or the error the browser raised. */
function callFromPage(page: Page, options: { token: string; credentials?: 'omit' | 'same-origin' | 'include' }) {
  return page.evaluate(
    async ({ url, token, credentials }) => {
      try {
        const response = await fetch(url, {
          method: 'POST',
          credentials,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
          body: JSON.stringify({ query: '{ viewer { role } }' }),
        });
        return { status: response.status, body: await response.json() };
      } catch (error) {
        return { error: String(error) };
      }
    },
    { url: test.app.url, token: options.token, credentials: options.credentials },
  );
}

/** A graphql-ws handshake from the page: the first message the server sends, or how the socket ended. */
function handshakeFromPage(page: Page, token: string) {
  return page.evaluate(
    ({ url, token }) =>
      new Promise<string>((resolve) => {
        const socket = new WebSocket(url, 'graphql-transport-ws');
        socket.onopen = () => socket.send(JSON.stringify({ type: 'connection_init', payload: { authorization: `Bearer ${token}` } }));
        socket.onmessage = (event) => {
          resolve(JSON.parse(String(event.data)).type);
          socket.close();
        };
        socket.onerror = () => resolve('error');
      }),
    { url: test.app.wsUrl, token },
  );
}

function preflight(origin: string) {
  return fetch(test.app.url, {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type' },
  });
}

describe('CORS: pages of the origins in CORS_ORIGINS call the API from a browser', () => {
  it('answers an allowed origin its preflight: methods, headers, and no credentials', async () => {
    const response = await preflight(allowed.origin);
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe(allowed.origin);
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(response.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(response.headers.get('access-control-max-age')).toBe('600');
    expect(response.headers.get('access-control-allow-credentials')).toBeNull();
    expect(response.headers.get('vary')).toContain('Origin');
  });

  it('lets a page of an allowed origin call with its bearer token and read the answer in Chromium', async () => {
    const page = await pageOn(allowed.origin);
    expect(await callFromPage(page, { token: adminToken })).toMatchObject({ status: 200, body: { data: { viewer: { role: 'PLATFORM_ADMIN' } } } });
    await page.screenshot({ path: `${SCREENSHOTS}/cors-allowed-origin.png` });
  });

  it("refuses a page of another origin: Chromium's fetch fails, and the preflight says which rule", async () => {
    const page = await pageOn(refused.origin);
    expect(await callFromPage(page, { token: adminToken })).toEqual({ error: 'TypeError: Failed to fetch' });
    const response = await preflight(refused.origin);
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    expect(await response.json()).toEqual({
      error: {
        code: 'ORIGIN_NOT_ALLOWED',
        message: `Pages of ${refused.origin} may not call this API: CORS_ORIGINS lists the origins that may (${allowed.origin}).`,
      },
    });
  });

  it("sends no credentials: a page asking for credentials: 'include' is refused even on an allowed origin (tokens, never cookies)", async () => {
    const page = await pageOn(allowed.origin);
    expect(await callFromPage(page, { token: adminToken, credentials: 'include' })).toEqual({ error: 'TypeError: Failed to fetch' });
  });

  it('holds WebSocket subscriptions to the same origins: an allowed page is acknowledged, another refused at the upgrade', async () => {
    expect(await handshakeFromPage(await pageOn(allowed.origin), adminToken)).toBe('connection_ack');
    expect(await handshakeFromPage(await pageOn(refused.origin), adminToken)).toBe('error');
  });
});

describe('the explorer at /explorer, offline', () => {
  const base = () => test.app.url.replace(/\/graphql$/, '');

  it('sends a browser opening / or /graphql to the explorer, and programs asking for JSON to the API', async () => {
    for (const path of ['/', '/graphql']) {
      const response = await fetch(`${base()}${path}`, { redirect: 'manual', headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
      expect([path, response.status, response.headers.get('location')]).toEqual([path, 302, '/explorer']);
    }
    const api = await fetch(`${base()}/graphql?query=${encodeURIComponent('{ viewer { role } }')}`, {
      headers: { accept: 'application/json', authorization: `Bearer ${adminToken}`, 'apollo-require-preflight': 'true' },
    });
    expect(await api.json()).toMatchObject({ data: { viewer: { role: 'PLATFORM_ADMIN' } } });
  });

  it('loads with every non-local request refused, introspects with a token, runs a query and a subscription', async () => {
    const context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
    const refusedRequests = await offline(context);
    const page = await context.newPage();
    await page.goto(`${base()}/explorer`);
    await page.locator('.graphiql-query-editor .monaco-editor').waitFor();

    // The token bar: the token is kept for this tab and sent with introspection, queries and subscriptions.
    await page.fill('#token', adminToken);
    const introspection = page.waitForResponse(
      (response) => response.url() === test.app.url && (response.request().postData() ?? '').includes('__schema') && response.status() === 200,
    );
    await page.click('#token-bar button[type=submit]');
    const introspected = await (await introspection).json();
    expect(introspected.data.__schema.queryType.name).toBe('Query');
    expect(await page.textContent('#token-state')).toBe('token set for this tab / 本标签页已设置令牌');

    // The starter query, as written, with the token.
    await page.click('.graphiql-execute-button');
    await page.locator('.graphiql-response', { hasText: '"role": "PLATFORM_ADMIN"' }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/explorer.png` });

    // A subscription over graphql-ws: an audit entry arrives when a tenant is created.
    await page.locator('.graphiql-query-editor .monaco-editor').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.insertText('subscription Audit { auditEntryRecorded { action targetId } }');
    await page.locator('.graphiql-tab', { hasText: 'Audit' }).waitFor(); // GraphiQL has read the new operation's name
    const subscribed = page
      .waitForEvent('websocket')
      .then((socket) => socket.waitForEvent('framesent', { predicate: (frame) => String(frame.payload).includes('"subscribe"') }));
    await page.click('.graphiql-execute-button');
    await subscribed;
    await page.waitForTimeout(300); // the server has started the subscription before the event
    const tenant = (await test.client(adminToken).data(TenantCreateDocument, { input: { name: 'Seen in the explorer' } })).tenantCreate.tenant!;
    await page.locator('.graphiql-response', { hasText: tenant.id }).waitFor({ timeout: 10_000 });
    await page.screenshot({ path: `${SCREENSHOTS}/explorer-subscription.png` });

    expect(refusedRequests).toEqual([]);
    await context.close();
  }, 60_000);
});
