import type pg from 'pg';
import type { Clock } from '../../platform/clock.js';
import { newId } from '../../platform/ids.js';
import type { Logger } from '../../platform/logger.js';
import type { GatewayCheck } from './usage-denial.entity.js';
import type { UsageAuthorization } from './usage.types.js';

/** How long refusals stay on record unless USAGE_DENIAL_RETENTION says otherwise. */
export const DEFAULT_USAGE_DENIAL_RETENTION_MS = 90 * 86_400_000;
/** How often each instance writes the refusals it counted. */
const FLUSH_INTERVAL_MS = 1000;
/** How often each instance deletes refusals past the retention. */
const PRUNE_INTERVAL_MS = 60 * 60_000;
/** Keys x codes x models x minutes one instance keeps between writes; past it, it writes at once. */
const MAX_PENDING = 5000;

interface PendingDenial {
  tenantId: string;
  apiKeyId: string;
  minute: Date;
  check: GatewayCheck;
  code: string;
  model: string;
  httpStatus: number;
  scopeType: string | null;
  scopeId: string | null;
  message: string;
  count: number;
  firstAt: Date;
  lastAt: Date;
}

/**
 * Every refusal of `usageAuthorize` and `usageReserve` for a known key, on record for support ("which
 * limit refused this key at 10:32?"): counted in memory per key, check, code, model and UTC minute,
 * and written once a second as one upsert per minute's group, so a flood of refusals costs a
 * bounded number of writes (at most one row per group and minute, one statement a second per
 * instance). Rows older than the retention (`USAGE_DENIAL_RETENTION`) are deleted hourly. A crash
 * loses at most the last second's counts. The one writer of `usage_denial`.
 */
export class UsageDenialLog {
  private pending = new Map<string, PendingDenial>();
  private flushing: Promise<void> = Promise.resolve();
  private flushTimer: NodeJS.Timeout | undefined;
  private pruneTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly pool: pg.Pool,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly retentionMs: number,
  ) {}

  /** Deletes what is past the retention, then writes each second and deletes hourly. */
  async start(): Promise<void> {
    await this.prune();
    this.flushTimer = setInterval(() => void this.flush(), FLUSH_INTERVAL_MS).unref();
    this.pruneTimer = setInterval(() => void this.prune(), PRUNE_INTERVAL_MS).unref();
  }

  /** Writes what is counted and stops. */
  async stop(): Promise<void> {
    clearInterval(this.flushTimer);
    clearInterval(this.pruneTimer);
    await this.flush();
  }

  /** Counts a check's answer if it is a refusal of a known key. */
  note(check: GatewayCheck, model: string, authorization: UsageAuthorization): void {
    const { denial, tenantId, apiKeyId } = authorization;
    if (!denial || !tenantId || !apiKeyId) return;
    const now = this.clock.now();
    const minute = new Date(Math.floor(now.getTime() / 60_000) * 60_000);
    const key = `${tenantId} ${apiKeyId} ${minute.getTime()} ${check} ${denial.code} ${model}`;
    const counted = this.pending.get(key);
    const last = {
      httpStatus: denial.httpStatus,
      scopeType: denial.scope?.type ?? null,
      scopeId: denial.scope?.id ?? null,
      message: denial.message,
      lastAt: now,
    };
    if (counted) Object.assign(counted, last, { count: counted.count + 1 });
    else this.pending.set(key, { tenantId, apiKeyId, minute, check, code: denial.code, model, count: 1, firstAt: now, ...last });
    if (this.pending.size >= MAX_PENDING) void this.flush();
  }

  /** Writes the counts so far (after any write in progress), one statement for all of them. */
  flush(): Promise<void> {
    this.flushing = this.flushing.then(() => this.write());
    return this.flushing;
  }

  private async write(): Promise<void> {
    if (this.pending.size === 0) return;
    // In the order of their keys (the same on every instance), so instances writing the same groups queue instead of deadlocking.
    const rows = [...this.pending.entries()].sort(([left], [right]) => (left < right ? -1 : 1)).map(([, row]) => row);
    this.pending = new Map();
    try {
      await this.pool.query(
        `insert into usage_denial (id, tenant_id, api_key_id, minute, "check", code, model, http_status, scope_type, scope_id, message, count, first_at, last_at)
         select d.id, d.tenant_id, d.api_key_id, d.minute, d."check"::gateway_check, d.code, d.model, d.http_status, d.scope_type::spend_scope_type, d.scope_id,
                d.message, d.count, d.first_at, d.last_at
           from json_to_recordset($1::json) as d(id text, tenant_id text, api_key_id text, minute timestamptz, "check" text, code text, model text,
                http_status smallint, scope_type text, scope_id text, message text, count bigint, first_at timestamptz, last_at timestamptz)
         on conflict (tenant_id, api_key_id, minute, "check", code, model) do update
            set count = usage_denial.count + excluded.count, last_at = greatest(usage_denial.last_at, excluded.last_at),
                http_status = excluded.http_status, scope_type = excluded.scope_type, scope_id = excluded.scope_id, message = excluded.message`,
        [
          JSON.stringify(
            rows.map((row) => ({
              id: newId('UsageDenial'),
              tenant_id: row.tenantId,
              api_key_id: row.apiKeyId,
              minute: row.minute,
              check: row.check,
              code: row.code,
              model: row.model,
              http_status: row.httpStatus,
              scope_type: row.scopeType,
              scope_id: row.scopeId,
              message: row.message,
              count: row.count,
              first_at: row.firstAt,
              last_at: row.lastAt,
            })),
          ),
        ],
      );
    } catch (error) {
      this.logger.warn({ err: error, groups: rows.length }, 'writing usage denials failed: their counts are lost');
    }
  }

  private async prune(): Promise<void> {
    const before = new Date(this.clock.now().getTime() - this.retentionMs);
    await this.pool
      .query('delete from usage_denial where minute < $1', [before])
      .catch((error: unknown) => this.logger.warn({ err: error }, 'pruning usage denials failed'));
  }
}
