import { Migration } from '@mikro-orm/migrations';

export class Migration20261130230000_CreditUsed extends Migration {
  override name = 'Migration20261130230000_CreditUsed';

  override up(): void | Promise<void> {
    // What counts against a postpaid tenant's credit limit: its open bills, plus its spend in the
    // months after its last bill. One definition for the pre-call check and for reservations.
    this.addSql(`create function "credit_used"("tenant" text) returns numeric
      language sql stable strict parallel safe
      as $$ select (select coalesce(sum(b.gross_total - b.amount_paid), 0) from bill b
                     where b.tenant_id = "tenant" and b.status in ('FINALIZED', 'PARTIALLY_PAID', 'OVERDUE'))
                 + (select coalesce(sum(m.spent), 0) from spend_counter m
                     where m.scope_id = "tenant" and m.period = 'MONTHLY'
                       and m.period_start > coalesce((select max(b.period_start) from bill b where b.tenant_id = "tenant" and b.status <> 'VOID'), '-infinity'::date)) $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function "credit_used";`);
  }
}
