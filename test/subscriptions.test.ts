import { print } from 'graphql';
import WebSocket from 'ws';
import { AccessTokenCache } from '../src/modules/access-token/access-token-cache.js';
import { ACCESS_TOKENS_CHANGED, type AccessTokensChangedEvent } from '../src/platform/auth/access-tokens-changed.js';
import { AccessTokenSessions } from '../src/modules/access-token/access-token-sessions.js';
import { Role } from '../src/platform/auth/roles.js';
import { sqlTransaction } from '../src/platform/database/sql.js';
import { publishOnCommit } from '../src/platform/events/pubsub.js';
import {
  AccessTokenCreateDocument,
  AccessTokenRevokeDocument,
  AuditEntryRecordedDocument,
  DepartmentCreateDocument,
  TenantCreateDocument,
  TenantReactivateDocument,
  TenantSuspendDocument,
  ViewerDocument,
  type AccessTokenCreateInput,
  type AuditEntryRecordedSubscription,
} from './generated/graphql.js';
import { buildWorld, type World } from './support/fixtures.js';
import { GraphQLClient, startTestApp, type TestApp } from './support/harness.js';
import { startServerProcess, type ServerProcess } from './support/server-process.js';
import { disposeSubscriptions, subscribe, type Subscription } from './support/subscriptions.js';

let test: TestApp;
let world: World;
/** A second server as its own OS process on the same database, as behind a load balancer. */
let otherProcess: ServerProcess;

beforeAll(async () => {
  test = await startTestApp();
  world = await buildWorld(test);
  otherProcess = await startServerProcess(test.databaseUrl);
}, 60_000);
afterAll(async () => {
  await disposeSubscriptions();
  expect(await otherProcess.stop()).toBe(0);
  await test.stop();
});

/** Opens a raw graphql-ws connection and resolves with the close code and reason the server sends. */
function closeFor(url: string, payload: Record<string, unknown> | undefined): Promise<{ code: number; reason: string }> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, 'graphql-transport-ws');
    socket.on('open', () => socket.send(JSON.stringify({ type: 'connection_init', payload })));
    socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    socket.on('error', reject);
  });
}

const auditQuery = print(AuditEntryRecordedDocument);

describe('subscriptions over WebSocket', () => {
  it('closes a connection without a token, or with a bad one, with 4401', async () => {
    expect((await closeFor(test.app.wsUrl, undefined)).code).toBe(4401);
    expect((await closeFor(test.app.wsUrl, { authorization: 'Bearer bpat_wrong' })).code).toBe(4401);
  });

  it('delivers audit events committed on another server instance', async () => {
    const subscription = await subscribe<AuditEntryRecordedSubscription>(otherProcess.wsUrl, world.adminToken, auditQuery);
    const created = await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Observed' } });
    const event = await subscription.next();
    expect(event.errors).toBeUndefined();
    expect(event.data?.auditEntryRecorded).toMatchObject({
      action: 'department.create',
      targetId: created.departmentCreate.department!.id,
      tenant: { id: world.a.id },
    });
  });

  it("shows a tenant admin only its own tenant's events", async () => {
    const subscriptionB = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.b.tokens.TENANT_ADMIN, auditQuery);
    await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.a.rootDepartmentId, name: 'Invisible to B' } });
    const ownChange = await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.b.rootDepartmentId, name: 'Visible to B' } });
    // Notifications arrive in commit order, so B's first event being its own proves A's was filtered out.
    const first = await subscriptionB.next();
    expect(first.data?.auditEntryRecorded).toMatchObject({ targetId: ownChange.departmentCreate.department!.id, tenant: { id: world.b.id } });
  });

  it("refuses the subscription to roles that may not read the audit trail, and to another tenant's id", async () => {
    const viewer = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_VIEWER, auditQuery);
    expect((await viewer.next()).errors?.[0]).toMatchObject({ extensions: { code: 'FORBIDDEN' } });
    const crossTenant = await subscribe<AuditEntryRecordedSubscription>(test.app.wsUrl, world.a.tokens.TENANT_ADMIN, auditQuery, { tenantId: world.b.id });
    expect((await crossTenant.next()).errors?.[0]).toMatchObject({ extensions: { code: 'NOT_FOUND' } });
  });
});

describe('access tokens across servers', () => {
  it('stops a revoked token on another server as soon as the revocation event arrives, not when its cache entry expires', async () => {
    const created = await world.admin.data(AccessTokenCreateDocument, { input: { name: 'revoked elsewhere', role: 'TENANT_VIEWER', tenantId: world.a.id } });
    const onSecond = new GraphQLClient(otherProcess.url, created.accessTokenCreate.secret!);
    expect((await onSecond.execute(ViewerDocument)).data?.viewer.role).toBe('TENANT_VIEWER'); // now cached there

    await world.admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: created.accessTokenCreate.accessToken!.id } });

    const revokedAt = performance.now();
    // Another process's cache cannot be awaited; poll it, far inside the cache's freshness window.
    while ((await onSecond.execute(ViewerDocument)).errors?.[0]?.extensions?.code !== 'UNAUTHENTICATED') {
      expect(performance.now() - revokedAt).toBeLessThan(AccessTokenCache.FRESH_MS / 2);
    }
  });
});

/** An access token made through the API of this process, as a portal would. */
async function createToken(input: Partial<AccessTokenCreateInput> = {}): Promise<{ id: string; secret: string }> {
  const { accessTokenCreate } = await world.admin.data(AccessTokenCreateDocument, {
    input: { name: 'live', role: 'TENANT_ADMIN', tenantId: world.a.id, ...input },
  });
  return { id: accessTokenCreate.accessToken!.id, secret: accessTokenCreate.secret! };
}

/** How a subscription's connection was closed, and how long after `since` (performance.now()) it was. */
async function closing(subscription: Subscription<unknown>, since: number) {
  const { code, reason } = await subscription.closed;
  return { code, reason, afterMs: performance.now() - since };
}

describe('a subscription ends with its credential, on every server', () => {
  it('closes every connection of a revoked token with 4403 within a second, on this server and on another process', async () => {
    const token = await createToken();
    const elsewhere = await subscribe(otherProcess.wsUrl, token.secret, auditQuery);
    const here = await subscribe(test.app.wsUrl, token.secret, auditQuery);

    const revokedAt = performance.now();
    await world.admin.data(AccessTokenRevokeDocument, { input: { accessTokenId: token.id } });

    for (const closed of await Promise.all([closing(elsewhere, revokedAt), closing(here, revokedAt)])) {
      expect(closed).toMatchObject({ code: 4403, reason: 'Access token revoked' });
      expect(closed.afterMs).toBeLessThan(1000);
    }
  });

  it("closes a connection with 4403 within a second of its token's expiry, and refuses the expired token with 4401", async () => {
    const expiresAt = new Date(Date.now() + 2000);
    const token = await createToken({ expiresAt: expiresAt.toISOString() });
    const subscription = await subscribe(otherProcess.wsUrl, token.secret, auditQuery);

    const { code, reason } = await subscription.closed;
    const lateMs = Date.now() - expiresAt.getTime();

    expect({ code, reason }).toEqual({ code: 4403, reason: 'Access token expired' });
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1000);
    expect((await closeFor(otherProcess.wsUrl, { authorization: `Bearer ${token.secret}` })).code).toBe(4401);
  });

  it('closes the connections of every token of a suspended tenant within a second; its tokens still read over HTTP but open no new connection until it is reactivated', async () => {
    const tenantId = (await world.admin.data(TenantCreateDocument, { input: { name: 'Suspended 丙 Ltd' } })).tenantCreate.tenant!.id;
    const [adminToken, otherAdminToken] = [await test.tokenFor(Role.TENANT_ADMIN, tenantId), await test.tokenFor(Role.TENANT_ADMIN, tenantId)];
    const elsewhere = await subscribe(otherProcess.wsUrl, adminToken, auditQuery);
    const here = await subscribe(test.app.wsUrl, otherAdminToken, auditQuery);
    const otherTenant = await subscribe<AuditEntryRecordedSubscription>(otherProcess.wsUrl, world.b.tokens.TENANT_ADMIN, auditQuery);

    const suspendedAt = performance.now();
    await world.admin.data(TenantSuspendDocument, { input: { tenantId, reason: 'unpaid' } });

    for (const closed of await Promise.all([closing(elsewhere, suspendedAt), closing(here, suspendedAt)])) {
      expect(closed).toMatchObject({ code: 4403, reason: 'Tenant suspended' });
      expect(closed.afterMs).toBeLessThan(1000);
    }
    const ownChange = await world.admin.data(DepartmentCreateDocument, { input: { parentId: world.b.rootDepartmentId, name: 'Still live' } });
    expect((await otherTenant.next()).data?.auditEntryRecorded.targetId).toBe(ownChange.departmentCreate.department!.id);

    expect(await closeFor(otherProcess.wsUrl, { authorization: `Bearer ${adminToken}` })).toEqual({ code: 4403, reason: 'Tenant suspended' });
    const overHttp = await new GraphQLClient(otherProcess.url, adminToken).data(ViewerDocument);
    expect(overHttp.viewer.tenant).toMatchObject({ id: tenantId });

    await world.admin.data(TenantReactivateDocument, { input: { tenantId } });
    // The server that reactivated it evicts at once (others when the event arrives).
    await subscribe(test.app.wsUrl, adminToken, auditQuery);
  });

  it('closes the connections of a token whose role changes: a role change has only to publish ACCESS_TOKENS_CHANGED', async () => {
    const token = await createToken();
    const subscription = await subscribe(otherProcess.wsUrl, token.secret, auditQuery);

    const changedAt = performance.now();
    await sqlTransaction(test.sql, async (client) => {
      await client.query("update access_token set role = 'TENANT_FINANCE' where id = $1", [token.id]);
      await publishOnCommit(client, ACCESS_TOKENS_CHANGED, { tokenId: token.id } satisfies AccessTokensChangedEvent);
    });

    const closed = await closing(subscription, changedAt);
    expect(closed).toMatchObject({ code: 4403, reason: 'Access token role changed' });
    expect(closed.afterMs).toBeLessThan(1000);
  });

  it("still closes a revoked token's connection when the event is lost, at the next re-check", async () => {
    const token = await createToken();
    const subscription = await subscribe(otherProcess.wsUrl, token.secret, auditQuery);

    const revokedAt = performance.now();
    await test.sql.query('update access_token set revoked_at = now() where id = $1', [token.id]); // no event

    const closed = await closing(subscription, revokedAt);
    expect(closed).toMatchObject({ code: 4403, reason: 'Access token revoked' });
    expect(closed.afterMs).toBeLessThan(AccessTokenSessions.RECHECK_MS + AccessTokenCache.FRESH_MS + 1000);
  });
});
