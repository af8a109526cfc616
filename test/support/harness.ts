import 'reflect-metadata';
import { randomBytes } from 'node:crypto';
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';
import { print, type GraphQLFormattedError } from 'graphql';
import pg from 'pg';
import { startApp, type App } from '../../src/app.js';
import { AccessToken } from '../../src/modules/access-token/access-token.entity.js';
import { Role } from '../../src/platform/auth/roles.js';
import type { SpendSpikeRule } from '../../src/modules/alert/spend-spike.js';
import type { Clock } from '../../src/platform/clock.js';
import type { RateLimitConfig } from '../../src/platform/rate-limits.js';
import type { AllowedOrigins } from '../../src/platform/browser-origins.js';
import type { WebhookSettings } from '../../src/modules/webhook/webhook-dispatcher.js';
import { createLogger, type Logger } from '../../src/platform/logger.js';
import { ACCESS_TOKEN_PREFIX, displayPrefix, generateSecret, hashSecret } from '../../src/platform/secrets.js';

export interface GraphQLResponse<Data> {
  status: number;
  data?: Data | null;
  errors?: GraphQLFormattedError[];
}

/** A client that speaks GraphQL over HTTP with a bearer token, as a portal or ERP would. */
export class GraphQLClient {
  constructor(
    readonly url: string,
    readonly token: string | undefined,
  ) {}

  async execute<Data, Variables>(document: TypedDocumentNode<Data, Variables>, variables?: Variables): Promise<GraphQLResponse<Data>> {
    return this.raw<Data>(print(document), variables as Record<string, unknown> | undefined);
  }

  async raw<Data = Record<string, unknown>>(query: string, variables?: Record<string, unknown>): Promise<GraphQLResponse<Data>> {
    const response = await fetch(this.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
      },
      body: JSON.stringify({ query, variables }),
    });
    const body = (await response.json()) as Omit<GraphQLResponse<Data>, 'status'>;
    return { status: response.status, ...body };
  }

  /** Executes and returns data, failing the test on any top-level error. */
  async data<Data, Variables>(document: TypedDocumentNode<Data, Variables>, variables?: Variables): Promise<Data> {
    const result = await this.execute(document, variables);
    if (result.errors?.length || !result.data) {
      throw new Error(`GraphQL errors: ${JSON.stringify(result.errors)}`);
    }
    return result.data;
  }
}

export interface TestApp {
  app: App;
  databaseUrl: string;
  /** Connection for assertions straight against the tables. */
  sql: pg.Pool;
  client(token?: string): GraphQLClient;
  /** A token of any role, created directly in the database (the way the bootstrap token is). */
  tokenFor(role: Role, tenantId?: string | null): Promise<string>;
  stop(): Promise<void>;
}

function withDatabase(serverUrl: string, database: string): string {
  const parsed = new URL(serverUrl);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

async function adminQuery(sql: string): Promise<void> {
  const admin = new pg.Client({ connectionString: process.env.TEST_ADMIN_DATABASE_URL });
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    await admin.query(sql);
  } finally {
    await admin.end();
  }
}

export interface TestAppOptions {
  clock?: Clock;
  spendSpike?: SpendSpikeRule;
  rateLimits?: RateLimitConfig;
  corsOrigins?: AllowedOrigins;
  webhooks?: Partial<WebhookSettings>;
  /** The server's logger; silent (or TEST_LOG_LEVEL's) by default. */
  logger?: Logger;
  /** Opens /metrics to this bearer secret. */
  metricsToken?: string;
}

/** A real server on a free port, over its own database cloned from the migrated template. */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseName = `test_${randomBytes(8).toString('hex')}`;
  await adminQuery(`create database "${databaseName}" template "${process.env.TEST_TEMPLATE_DATABASE}"`);
  const databaseUrl = withDatabase(process.env.TEST_ADMIN_DATABASE_URL!, databaseName);
  const app = await startApp({ databaseUrl, host: '127.0.0.1', port: 0, logger: createLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), ...options });
  const sql = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  sql.on('error', () => undefined);
  return {
    app,
    databaseUrl,
    sql,
    client: (token) => new GraphQLClient(app.url, token),
    async tokenFor(role, tenantId = null) {
      const secret = generateSecret(ACCESS_TOKEN_PREFIX);
      const em = app.orm.em.fork();
      em.create(AccessToken, {
        name: `test ${role}`,
        role,
        tenant: tenantId,
        secretHash: hashSecret(secret),
        secretPrefix: displayPrefix(secret, ACCESS_TOKEN_PREFIX),
      });
      await em.flush();
      return secret;
    },
    async stop() {
      await sql.end();
      await app.stop();
      await adminQuery(`drop database if exists "${databaseName}" with (force)`);
    },
  };
}
