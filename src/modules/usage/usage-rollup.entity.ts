import { BigIntType } from '@mikro-orm/core';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import { TenantOwned } from '../../platform/database/tenant-scope.js';
import { countColumn } from '../../platform/database/columns.js';

/**
 * A tenant's charged usage summed per local day, department and price version (hence model), and
 * per settlement barrier it was recorded after: what settlement bills, so a bill costs as much as
 * its groups, not its records. Written only by the usage batch's `rollUp` step (usage.repository.ts),
 * in the same transaction as the records it sums.
 *
 * `recordedAfter` is the tenant's last settlement watermark when the records were recorded (0
 * before its first), so for every watermark W the tenant's settlements take, `recordedAfter < W`
 * holds exactly for the records numbered below W: bills read rollups with the same cut the
 * records' `seq` gives (see takeUsageWatermark).
 */
@Entity({ tableName: 'usage_rollup' })
@TenantOwned('tenantId')
export class UsageRollup {
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  /** The day the usage occurred on, in the tenant's time zone (which cannot change once it has usage). */
  @PrimaryKey({ type: 'date' })
  localDay!: string;

  @PrimaryKey({ type: 'text' })
  departmentId!: string;

  @PrimaryKey({ type: 'text' })
  priceId!: string;

  @PrimaryKey({ type: new BigIntType('number') })
  recordedAfter!: number;

  @Property({ type: 'text' })
  model!: string;

  @Property(countColumn())
  requestCount!: number;

  @Property(countColumn())
  inputTokens!: number;

  @Property(countColumn())
  outputTokens!: number;

  @Property(countColumn())
  cachedInputTokens!: number;

  @Property(countColumn())
  imageCount!: number;

  @Property(countColumn())
  videoSeconds!: number;

  /** The exact sum of the records' charged amounts: unbounded scale, so no sum is ever rounded. */
  @Property({ type: 'decimal', columnType: 'numeric' })
  chargedAmount!: string;
}

/** The last settlement watermark taken for a tenant: what its usage recorded from now on is tagged with (see UsageRollup). */
@Entity({ tableName: 'usage_barrier' })
@TenantOwned('tenantId')
export class UsageBarrier {
  @PrimaryKey({ type: 'text' })
  tenantId!: string;

  @Property({ type: new BigIntType('number') })
  watermark!: number;
}
