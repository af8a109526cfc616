import path from 'node:path';
import { z } from 'zod';
import { decimal, isDecimalString } from './money.js';
import { DEFAULT_RATE_LIMITS, type BucketLimit, type RateLimitConfig } from './rate-limits.js';
import { ACCESS_TOKEN_PREFIX } from './secrets.js';
import type { AllowedOrigins } from './browser-origins.js';
import { parseLogLevels, type LogLevels } from './logger.js';

/** "10000/1000": a bucket of 10,000 cost points that refills 1,000 a second. */
const bucket = (fallback: BucketLimit) =>
  z
    .string()
    .default(`${fallback.maximum}/${fallback.restorePerSecond}`)
    .pipe(z.string().regex(/^[1-9]\d{0,9}\/[1-9]\d{0,9}$/, 'must be "<points>/<points restored per second>", e.g. "10000/1000"'))
    .transform((value): BucketLimit => {
      const [maximum, restorePerSecond] = value.split('/').map(Number);
      return { maximum, restorePerSecond };
    });

const positiveWhole = (fallback: number) =>
  z.coerce.number({ error: 'must be a whole number' }).int('must be a whole number').min(1, 'must be at least 1').default(fallback);

const DURATION_UNITS_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;
const DURATION = /^([1-9]\d{0,6})(ms|s|m|h|d)$/;

/** "30s", "10m", "1d": milliseconds. */
function durationMs(text: string): number {
  const [, count, unit] = DURATION.exec(text)!;
  return Number(count) * DURATION_UNITS_MS[unit as keyof typeof DURATION_UNITS_MS];
}

const duration = z.string().regex(DURATION, 'must be a whole number and a unit (ms, s, m, h or d), e.g. "30s" or "5d"').transform(durationMs);

const configSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  DATABASE_READ_URL: z.url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' }).optional(),
  DATABASE_READ_MAX_WAIT: duration.prefault('500ms'),
  PORT: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be between 0 and 65535')
    .max(65535, 'must be between 0 and 65535')
    .default(4000),
  HOST: z.string().min(1, 'must not be empty').default('127.0.0.1'),
  DATA_DIR: z.string().min(1, 'must not be empty').default('.data'),
  BOOTSTRAP_ADMIN_TOKEN: z
    .string()
    .startsWith(ACCESS_TOKEN_PREFIX, `must start with "${ACCESS_TOKEN_PREFIX}"`)
    .min(ACCESS_TOKEN_PREFIX.length + 32, `must have at least 32 characters after "${ACCESS_TOKEN_PREFIX}"`)
    .optional(),
  LOG_LEVEL: z
    .string()
    .default('info')
    .transform((text, context): LogLevels => {
      const levels = parseLogLevels(text);
      if (!('problem' in levels)) return levels;
      context.addIssue({ code: 'custom', message: levels.problem });
      return z.NEVER;
    }),
  NODE_ENV: z.string().default('development'),
  SPEND_SPIKE_MULTIPLE: z
    .string()
    .refine((value) => isDecimalString(value) && decimal(value).gt(1), 'must be a decimal greater than 1, e.g. "5"')
    .default('5'),
  SPEND_SPIKE_FLOOR: z
    .string()
    .refine((value) => isDecimalString(value) && !value.startsWith('-'), 'must be a decimal of at least 0, e.g. "10"')
    .default('10'),
  RATE_LIMIT_STANDARD: bucket(DEFAULT_RATE_LIMITS.standard),
  RATE_LIMIT_OPERATOR: bucket(DEFAULT_RATE_LIMITS.operator),
  RATE_LIMIT_GATEWAY: bucket(DEFAULT_RATE_LIMITS.gateway),
  RATE_LIMIT_FAILED_AUTHENTICATIONS: positiveWhole(DEFAULT_RATE_LIMITS.failedAuthentication.attempts),
  RATE_LIMIT_RENDERS_PER_TOKEN: positiveWhole(DEFAULT_RATE_LIMITS.renders.perToken),
  RATE_LIMIT_RENDERS_PER_PROCESS: positiveWhole(DEFAULT_RATE_LIMITS.renders.perProcess),
  TRUST_PROXY: z.string().optional(),
  PUBLIC_URL: z
    .string()
    .refine(isOrigin, 'must be the origin clients reach this service at, e.g. "https://billing.example.com" (scheme, host and port only)')
    .optional(),
  EXPORT_LINK_TTL_SECONDS: positiveWhole(900),
  METRICS_TOKEN: z
    .string()
    .regex(/^[\x21-\x7e]{32,200}$/, 'must be 32 to 200 printable characters without spaces')
    .optional(),
  USAGE_DENIAL_RETENTION: duration.optional(),
  WEBHOOK_TIMEOUT: duration.optional(),
  WEBHOOK_CONCURRENCY: z.coerce
    .number({ error: 'must be a whole number' })
    .int('must be a whole number')
    .min(0, 'must be at least 0')
    .max(256, 'must be at most 256')
    .optional(),
  WEBHOOK_RETRY_SCHEDULE: z
    .string()
    .transform((value) => value.split(',').map((part) => part.trim()))
    .pipe(z.array(duration).min(1, 'must list at least 1 wait').max(30, 'must list at most 30 waits'))
    .optional(),
  WEBHOOK_DISABLE_AFTER: duration.optional(),
  WEBHOOK_ALLOW_PRIVATE_URLS: z
    .enum(['true', 'false'], { error: 'must be true or false' })
    .transform((value) => value === 'true')
    .optional(),
  CORS_ORIGINS: z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((origin) => origin.trim())
        .filter(Boolean),
    )
    .pipe(
      z.union([
        z.tuple([z.literal('*')]).transform((): '*' => '*'),
        z.array(
          z
            .string()
            .refine(
              isOrigin,
              'must be a comma-separated list of origins such as "https://portal.example.com,http://localhost:5173" (scheme, host and port only), or "*"',
            ),
        ),
      ]),
    ),
});

/** An origin as a browser sends it: http(s)://host[:port], nothing after. */
function isOrigin(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.origin === value;
  } catch {
    return false;
  }
}

export interface AppConfig {
  databaseUrl: string | undefined;
  /** A streaming replica for ERP pulls, exports and reports (database/read-replica.ts), and how long a read waits for it to replay its caller's last write. */
  readDatabase: { url: string; maxWaitMs: number } | undefined;
  port: number;
  host: string;
  dataDir: string;
  bootstrapAdminToken: string | undefined;
  /** The level, and modules' own levels (platform/logger.ts). */
  logLevels: LogLevels;
  isProduction: boolean;
  /** See modules/alert/spend-spike.ts. */
  spendSpike: { multiple: string; floor: string };
  /** See platform/rate-limits.ts. */
  rateLimits: RateLimitConfig;
  /** Express's `trust proxy`: which proxies' X-Forwarded-For names the client; unset trusts none. */
  trustProxy: string | undefined;
  /** Origins whose pages may call from a browser (platform/browser-origins.ts). */
  corsOrigins: AllowedOrigins;
  /** Where clients reach this service, for the absolute export links; the listening address when unset. */
  publicUrl: string | undefined;
  /** How long a signed export link opens (platform/export-links.ts). */
  exportLinkTtlSeconds: number;
  /** The bearer secret Prometheus sends for /metrics (platform/metrics.ts); unset: no metrics served. */
  metricsToken: string | undefined;
  /** How long gateway refusals stay on record (modules/usage/usage-denials.ts); unset keeps the default there. */
  usageDenialRetentionMs: number | undefined;
  /** Webhook delivery (modules/webhook/webhook-dispatcher.ts); what is unset keeps its default there. */
  webhooks: {
    timeoutMs?: number;
    concurrency?: number;
    retryDelaysMs?: number[];
    disableAfterMs?: number;
    allowPrivateNetworks?: boolean;
  };
}

export class ConfigError extends Error {}

/** Reads and validates configuration from the environment; throws ConfigError naming each bad variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env): AppConfig {
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== ''));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((issue) => `  ${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const values = parsed.data;
  return {
    databaseUrl: values.DATABASE_URL,
    readDatabase: values.DATABASE_READ_URL ? { url: values.DATABASE_READ_URL, maxWaitMs: values.DATABASE_READ_MAX_WAIT } : undefined,
    port: values.PORT,
    host: values.HOST,
    dataDir: path.resolve(values.DATA_DIR),
    bootstrapAdminToken: values.BOOTSTRAP_ADMIN_TOKEN,
    logLevels: values.LOG_LEVEL,
    isProduction: values.NODE_ENV === 'production',
    spendSpike: { multiple: values.SPEND_SPIKE_MULTIPLE, floor: values.SPEND_SPIKE_FLOOR },
    rateLimits: {
      standard: values.RATE_LIMIT_STANDARD,
      operator: values.RATE_LIMIT_OPERATOR,
      gateway: values.RATE_LIMIT_GATEWAY,
      failedAuthentication: { ...DEFAULT_RATE_LIMITS.failedAuthentication, attempts: values.RATE_LIMIT_FAILED_AUTHENTICATIONS },
      renders: { perToken: values.RATE_LIMIT_RENDERS_PER_TOKEN, perProcess: values.RATE_LIMIT_RENDERS_PER_PROCESS },
    },
    trustProxy: values.TRUST_PROXY,
    corsOrigins: values.CORS_ORIGINS,
    publicUrl: values.PUBLIC_URL,
    exportLinkTtlSeconds: values.EXPORT_LINK_TTL_SECONDS,
    metricsToken: values.METRICS_TOKEN,
    usageDenialRetentionMs: values.USAGE_DENIAL_RETENTION,
    webhooks: Object.fromEntries(
      Object.entries({
        timeoutMs: values.WEBHOOK_TIMEOUT,
        concurrency: values.WEBHOOK_CONCURRENCY,
        retryDelaysMs: values.WEBHOOK_RETRY_SCHEDULE,
        disableAfterMs: values.WEBHOOK_DISABLE_AFTER,
        allowPrivateNetworks: values.WEBHOOK_ALLOW_PRIVATE_URLS,
      }).filter(([, value]) => value !== undefined),
    ),
  };
}
