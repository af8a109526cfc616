import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

/**
 * The parts of the server that log, each under `"module"` in its lines and at a level of its own
 * when LOG_LEVEL names one: `http` is the access log (a line a request), `graphql` errors in
 * operations, `websocket` subscription connections, `events` the LISTEN/NOTIFY feed, `settlement`
 * runs and sweeps, `webhook` deliveries, `export` downloads, `process` start and stop.
 */
export const LOG_MODULES = ['http', 'graphql', 'websocket', 'events', 'usage', 'settlement', 'webhook', 'export', 'database', 'process'] as const;
export type LogModule = (typeof LOG_MODULES)[number];

export interface LogLevels {
  level: LogLevel;
  modules: Partial<Record<LogModule, LogLevel>>;
}

/**
 * LOG_LEVEL's text: a level ("info"), optionally followed by modules at levels of their own
 * ("info,webhook=debug,http=warn"). Returns what is wrong with it, naming the part, or the levels.
 */
export function parseLogLevels(text: string): LogLevels | { problem: string } {
  const [level, ...overrides] = text.split(',').map((part) => part.trim());
  if (!isLevel(level)) return { problem: `must start with a level (${LOG_LEVELS.join(', ')}), not "${level}"` };
  const modules: LogLevels['modules'] = {};
  for (const override of overrides) {
    const [module, moduleLevel, extra] = override.split('=');
    if (extra !== undefined || !(LOG_MODULES as readonly string[]).includes(module) || !isLevel(moduleLevel))
      return { problem: `"${override}" must be <module>=<level>, a module one of ${LOG_MODULES.join(', ')} and a level one of ${LOG_LEVELS.join(', ')}` };
    modules[module as LogModule] = moduleLevel;
  }
  return { level, modules };
}

const isLevel = (text: string | undefined): text is LogLevel => (LOG_LEVELS as readonly (string | undefined)[]).includes(text);

/** The module levels of each logger createLogger made, for moduleLogger. */
const moduleLevels = new WeakMap<Logger, LogLevels['modules']>();

/**
 * The process's logger, at LOG_LEVEL's levels (or their text): JSON lines (pino) with the level as a word and the time in ISO 8601, an
 * error's stack inside its line, to stdout or `destination`.
 */
export function createLogger(levels: string | LogLevels, destination?: DestinationStream): Logger {
  const parsed = typeof levels === 'string' ? parseLogLevels(levels) : levels;
  if ('problem' in parsed) throw new Error(`Log level "${String(levels)}": ${parsed.problem}`);
  const { level, modules } = parsed;
  const options = { level, base: undefined, timestamp: pino.stdTimeFunctions.isoTime, formatters: { level: (label: string) => ({ level: label }) } };
  const logger = destination ? pino(options, destination) : pino(options);
  moduleLevels.set(logger, modules);
  return logger;
}

/** A module's logger: its lines carry `"module"`, at the level LOG_LEVEL gives the module, or the logger's. */
export function moduleLogger(logger: Logger, module: LogModule): Logger {
  return logger.child({ module }, { level: moduleLevels.get(logger)?.[module] ?? logger.level });
}
