import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { newId, typeOfId } from '../../src/platform/ids.js';
import { DEFAULT_RATE_LIMITS } from '../../src/platform/rate-limits.js';
import { generateSecret } from '../../src/platform/secrets.js';

describe('configuration', () => {
  it('applies defaults', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', databaseUrl: undefined, logLevels: { level: 'info', modules: {} } });
    expect(config.dataDir).toMatch(/\.data$/);
    expect(config.spendSpike).toEqual({ multiple: '5', floor: '10' });
  });

  it('reads the spend-spike rule and refuses a multiple of 1 or less and a negative floor', () => {
    expect(loadConfig({ SPEND_SPIKE_MULTIPLE: '3.5', SPEND_SPIKE_FLOOR: '0' }).spendSpike).toEqual({ multiple: '3.5', floor: '0' });
    expect(() => loadConfig({ SPEND_SPIKE_MULTIPLE: '1' })).toThrow('SPEND_SPIKE_MULTIPLE: must be a decimal greater than 1');
    expect(() => loadConfig({ SPEND_SPIKE_FLOOR: '-1' })).toThrow('SPEND_SPIKE_FLOOR: must be a decimal of at least 0');
  });

  it('reads rate limits, defaulting to the published ones, and names a malformed one', () => {
    expect(loadConfig({}).rateLimits).toEqual(DEFAULT_RATE_LIMITS);
    const config = loadConfig({
      RATE_LIMIT_STANDARD: '500/20',
      RATE_LIMIT_GATEWAY: '9000000/3000000',
      RATE_LIMIT_RENDERS_PER_TOKEN: '1',
      TRUST_PROXY: 'loopback',
    });
    expect(config.rateLimits).toMatchObject({
      standard: { maximum: 500, restorePerSecond: 20 },
      gateway: { maximum: 9_000_000, restorePerSecond: 3_000_000 },
      renders: { perToken: 1 },
    });
    expect(config.trustProxy).toBe('loopback');
    expect(() => loadConfig({ RATE_LIMIT_OPERATOR: '1000' })).toThrow('RATE_LIMIT_OPERATOR: must be "<points>/<points restored per second>"');
    expect(() => loadConfig({ RATE_LIMIT_RENDERS_PER_PROCESS: '0' })).toThrow('RATE_LIMIT_RENDERS_PER_PROCESS: must be at least 1');
  });

  it('reads the browser origins allowed to call (CORS_ORIGINS): none by default, a list, or every one, and names a malformed one', () => {
    expect(loadConfig({}).corsOrigins).toEqual([]);
    expect(loadConfig({ CORS_ORIGINS: 'https://portal.example.com, http://localhost:5173' }).corsOrigins).toEqual([
      'https://portal.example.com',
      'http://localhost:5173',
    ]);
    expect(loadConfig({ CORS_ORIGINS: '*' }).corsOrigins).toBe('*');
    for (const bad of [
      'portal.example.com',
      'https://portal.example.com/',
      'https://portal.example.com/app',
      'ftp://files.example.com',
      '*,https://a.example.com',
    ])
      expect(() => loadConfig({ CORS_ORIGINS: bad })).toThrow('CORS_ORIGINS');
    expect(() => loadConfig({ CORS_ORIGINS: 'https://portal.example.com/' })).toThrow(
      'must be a comma-separated list of origins such as "https://portal.example.com,http://localhost:5173" (scheme, host and port only), or "*"',
    );
  });

  it('reads a log level with levels of its own for named modules, and names what is wrong with a malformed one', () => {
    expect(loadConfig({ LOG_LEVEL: 'warn' }).logLevels).toEqual({ level: 'warn', modules: {} });
    expect(loadConfig({ LOG_LEVEL: 'info, webhook=debug,http=warn' }).logLevels).toEqual({ level: 'info', modules: { webhook: 'debug', http: 'warn' } });
    expect(() => loadConfig({ LOG_LEVEL: 'loud' })).toThrow('LOG_LEVEL: must start with a level (fatal, error, warn, info, debug, trace, silent), not "loud"');
    expect(() => loadConfig({ LOG_LEVEL: 'info,billing=debug' })).toThrow('LOG_LEVEL: "billing=debug" must be <module>=<level>, a module one of http, graphql');
    expect(() => loadConfig({ LOG_LEVEL: 'info,http=chatty' })).toThrow('LOG_LEVEL: "http=chatty" must be <module>=<level>');
  });

  it('reads a read replica and how long a read waits for it, only with a URL', () => {
    expect(loadConfig({}).readDatabase).toBeUndefined();
    expect(loadConfig({ DATABASE_READ_MAX_WAIT: '2s' }).readDatabase).toBeUndefined();
    expect(loadConfig({ DATABASE_READ_URL: 'postgres://reader@replica:5432/billing' }).readDatabase).toEqual({
      url: 'postgres://reader@replica:5432/billing',
      maxWaitMs: 500,
    });
    expect(loadConfig({ DATABASE_READ_URL: 'postgres://replica/billing', DATABASE_READ_MAX_WAIT: '2s' }).readDatabase?.maxWaitMs).toBe(2000);
    expect(() => loadConfig({ DATABASE_READ_URL: 'replica:5432' })).toThrow('DATABASE_READ_URL: must be a postgres:// or postgresql:// URL');
    expect(() => loadConfig({ DATABASE_READ_URL: 'postgres://replica/billing', DATABASE_READ_MAX_WAIT: 'soon' })).toThrow(
      'DATABASE_READ_MAX_WAIT: must be a whole number and a unit (ms, s, m, h or d)',
    );
  });

  it('names every bad variable and the rule it breaks', () => {
    expect(() => loadConfig({ PORT: 'eighty', DATABASE_URL: 'mysql://x', LOG_LEVEL: 'loud', BOOTSTRAP_ADMIN_TOKEN: 'short' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: '70000', DATABASE_URL: 'mysql://x', BOOTSTRAP_ADMIN_TOKEN: 'short' });
    } catch (error) {
      const message = (error as Error).message;
      expect(message).toContain('PORT: must be between 0 and 65535');
      expect(message).toContain('DATABASE_URL: must be a postgres:// or postgresql:// URL');
      expect(message).toContain('BOOTSTRAP_ADMIN_TOKEN: must start with "bpat_"');
    }
  });
});

describe('ids and secrets', () => {
  it('makes typed, sortable ids and reads their type back', () => {
    const first = newId('Tenant');
    const second = newId('Tenant');
    expect(first).toMatch(/^ten_[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(second > first).toBe(true);
    expect(typeOfId(newId('ApiKey'))).toBe('ApiKey');
    expect(typeOfId('ten_short')).toBeUndefined();
    expect(typeOfId('xyz_01ARZ3NDEKTSV4RRFFQ69G5FAV')).toBeUndefined();
  });

  it('makes secrets of at least 128 random bits that never repeat', () => {
    const secrets = new Set(Array.from({ length: 1000 }, () => generateSecret('sk-live-')));
    expect(secrets.size).toBe(1000);
    for (const secret of secrets) expect(secret).toMatch(/^sk-live-[0-9A-Za-z]{43}$/); // 43 x log2(62) = 256 bits
  });
});
