import path from 'node:path';
import { z } from 'zod';
import { decimal, isDecimalString } from './money.js';
import { ACCESS_TOKEN_PREFIX } from './secrets.js';

const logLevels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

const configSchema = z.object({
  DATABASE_URL: z
    .url({ protocol: /^postgres(ql)?$/, error: 'must be a postgres:// or postgresql:// URL' })
    .optional(),
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
  LOG_LEVEL: z.enum(logLevels, { error: `must be one of ${logLevels.join(', ')}` }).default('info'),
  NODE_ENV: z.string().default('development'),
  SPEND_SPIKE_MULTIPLE: z
    .string()
    .refine((value) => isDecimalString(value) && decimal(value).gt(1), 'must be a decimal greater than 1, e.g. "5"')
    .default('5'),
  SPEND_SPIKE_FLOOR: z
    .string()
    .refine((value) => isDecimalString(value) && !value.startsWith('-'), 'must be a decimal of at least 0, e.g. "10"')
    .default('10'),
});

export interface AppConfig {
  databaseUrl: string | undefined;
  port: number;
  host: string;
  dataDir: string;
  bootstrapAdminToken: string | undefined;
  logLevel: (typeof logLevels)[number];
  isProduction: boolean;
  /** See modules/alert/spend-spike.ts. */
  spendSpike: { multiple: string; floor: string };
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
    port: values.PORT,
    host: values.HOST,
    dataDir: path.resolve(values.DATA_DIR),
    bootstrapAdminToken: values.BOOTSTRAP_ADMIN_TOKEN,
    logLevel: values.LOG_LEVEL,
    isProduction: values.NODE_ENV === 'production',
    spendSpike: { multiple: values.SPEND_SPIKE_MULTIPLE, floor: values.SPEND_SPIKE_FLOOR },
  };
}
