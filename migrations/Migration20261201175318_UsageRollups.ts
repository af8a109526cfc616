import { Migration } from '@mikro-orm/migrations';

export class Migration20261201175318_UsageRollups extends Migration {
  override name = 'Migration20261201175318_UsageRollups';

  override up(): void | Promise<void> {
    this.addSql(`create table "usage_barrier" ("tenant_id" text not null, "watermark" bigint not null, primary key ("tenant_id"));`);

    this.addSql(
      `create table "usage_rollup" ("tenant_id" text not null, "local_day" date not null, "department_id" text not null, "price_id" text not null, "recorded_after" bigint not null, "model" text not null, "request_count" bigint not null, "input_tokens" bigint not null, "output_tokens" bigint not null, "cached_input_tokens" bigint not null, "image_count" bigint not null, "video_seconds" bigint not null, "charged_amount" numeric not null, primary key ("tenant_id", "local_day", "department_id", "price_id", "recorded_after"));`,
    );

    // The settlement watermarks on record, bills (void ones too) and periods closed empty: each
    // tenant's last one is its barrier, and each record is tagged with the last one below its seq.
    this.addSql(
      `insert into "usage_barrier" ("tenant_id", "watermark")
       select tenant_id, max(usage_watermark) from (select tenant_id, usage_watermark from bill
                                                    union all select tenant_id, usage_watermark from settled_empty_period) as taken
        group by tenant_id;`,
    );
    this.addSql(
      `insert into "usage_rollup" ("tenant_id", "local_day", "department_id", "price_id", "recorded_after", "model", "request_count",
                                   "input_tokens", "output_tokens", "cached_input_tokens", "image_count", "video_seconds", "charged_amount")
       select u.tenant_id, (u.occurred_at at time zone t.timezone)::date, u.department_id, u.price_id,
              coalesce((select max(taken.usage_watermark)
                          from (select tenant_id, usage_watermark from bill
                                union all select tenant_id, usage_watermark from settled_empty_period) as taken
                         where taken.tenant_id = u.tenant_id and taken.usage_watermark < u.seq), 0),
              u.model, count(*), sum(u.input_tokens), sum(u.output_tokens), sum(u.cached_input_tokens), sum(u.image_count),
              sum(u.video_seconds), sum(u.charged_amount)
         from usage_record u join tenant t on t.id = u.tenant_id
        where u.is_charged
        group by 1, 2, 3, 4, 5, 6;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "usage_barrier" cascade;`);
    this.addSql(`drop table if exists "usage_rollup" cascade;`);
  }
}
