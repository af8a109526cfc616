import { print } from 'graphql';
import WebSocket from 'ws';
import { startApp, type App } from '../src/app.js';
import { createLogger } from '../src/platform/logger.js';
import { AccessTokenCache } from '../src/modules/access-token/access-token-cache.js';
import {
  AccessTokenCreateDocument,
  AccessTokenRevokeDocument,
  AuditEntryRecordedDocument,
  DepartmentCreateDocument,
  ViewerDocument,
  type AuditEntryRecordedSubscription,
} from './generated/graphql.js';
import { buildWorld, type World } from './support/fixtures.js';
import { GraphQLClient, startTestApp, type TestApp } from './support/harness.js';
import { disposeSubscriptions, subscribe } from './support/subscriptions.js';

let test: TestApp;
let world: World;
let secondInstance: App;

beforeAll(async () => {
  test = await startTestApp();
  world = await buildWorld(test);
  // A second server on the same database, as behind a load balancer.
  secondInstance = await startApp({ databaseUrl: test.databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger('silent') });
});
afterAll(async () => {
  await disposeSubscriptions();
  await secondInstance.stop();
  await test.stop();
});

/** Opens a raw graphql-ws connection and resolves with the close code the server sends. */
function closeCodeFor(url: string, payload: Record<string, unknown> | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('close', (code) => resolve(code));
    socket.on('error', reject);
  });
}

const auditQuery = print(AuditEntryRecordedDocument);

describe('subscriptions over WebSocket', () => {
  it('closes a connection without a token, or with a bad one, with 4401', async () => {
    expect(await closeCodeFor(test.app.wsUrl, undefined)).toBe(4401);
    expect(await closeCodeFor(test.app.wsUrl, { authorization: 'Bearer bpat_wrong' })).toBe(4401);
  });

  it('delivers audit events committed on another server instance', async () => {
    const subscription = await subscribe<AuditEntryRecordedSubscription>(secondInstance.wsUrl, world.adminToken, auditQuery);
    const created = await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Observed' } });
    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data?.auditEntryRecorded).toMatchObject({
      action: 'department.create',
      targetId: created.departmentCreate.department!.id,
      tenant: { id: world.a.id },
    });
  });

  it('shows a tenant admin only its own tenant\'s events', async () => {
    const subscriptionB = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.b.tokens.TENANT_ADMIN, auditQuery);
    await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Invisible to B' } });
    const ownChange = await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.b.rootDepartmentId, name: 'Visible to B' } });
    // Notifications arrive in commit order, so B's first event being its own proves A's was filtered out.
    const first = await subscriptionB.next();
    expect(first.data?.auditEntryRecorded).toMatchObject({ targetId: ownChange.departmentCreate.department!.id, tenant: { id: world.b.id } });
  });

  it('refuses the subscription to roles that may not read the audit trail, and to another tenant\'s id', async () => {
    const viewer = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, auditQuery);
    expect((await viewer.next()).errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const crossTenant = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_ADMIN, auditQuery, { tenantId: world.b.id });
    expect((await crossTenant.next()).errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});

describe('access tokens across servers', () => {
  it('stops a revoked token on another server as soon as the revocation event arrives, not when its cache entry expires', async () => {
    const created = await world.admin.data(AccessTokenCreateDocument, { input: { name: 'revoked elsewhere', role: 'TENANT_VIEWER', tenantId: world.a.id } });
    const onSecond = new GraphQLClient(secondInstance.url, created.accessTokenCreate.secret!);
    expect((await onSecond.execute(ViewerDocument)).data?.viewer.role).toBe('TENANT_VIEWER'); // now cached there

    await world.admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: created.accessTokenCreate.accessToken!.id } });

    const revokedAt = performance.now();
    // Another process's cache cannot be awaited; poll it, far inside the cache's freshness window.
    while ((await onSecond.execute(ViewerDocument)).errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') {
      expect(performance.now() - revokedAt).toBeLessThan(AccessTokenCache.FRESH_MS / 2);
    }
  });
});
