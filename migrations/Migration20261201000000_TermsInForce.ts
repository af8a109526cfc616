import { Migration } from '@mikro-orm/migrations';

export class Migration20261201000000_TermsInForce extends Migration {
  override name = 'Migration20261201000000_TermsInForce';

  override up(): void | Promise<void> {
    // The one definition of a tenant's terms in force on a local day, now the whole contract
    // version, for settlement and the read paths as well as the hot paths.
    this.addSql(`drop function "contract_terms_at"(text, date);`);
    this.addSql(`create function "contract_terms_at"("tenant" text, "day" date) returns setof "contract_version"
      language sql stable strict parallel safe
      as $$ select v.* from contract c join contract_version v on v.contract_id = c.id
             where c.tenant_id = "tenant" and c.starts_on <= "day" and (c.ends_on is null or c.ends_on > "day") and v.effective_from <= "day"
             order by v.version desc limit 1 $$;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop function "contract_terms_at"(text, date);`);
    this.addSql(`create function "contract_terms_at"("tenant" text, "day" date) returns table ("billing_mode" "billing_mode", "credit_limit" numeric)
      language sql stable strict parallel safe
      as $$ select v.billing_mode, v.credit_limit from contract c join contract_version v on v.contract_id = c.id
             where c.tenant_id = "tenant" and c.starts_on <= "day" and (c.ends_on is null or c.ends_on > "day") and v.effective_from <= "day"
             order by v.version desc limit 1 $$;`);
  }
}
