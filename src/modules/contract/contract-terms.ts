import type pg from 'pg';
import { queryRows, type SqlTarget } from '../../platform/database/sql.js';
import { TaxMode } from '../../platform/money.js';
import type { ModelTier } from '../price/model-price.entity.js';
import { BillingMode, InvoiceType } from './contract.entity.js';

export interface ContractTerms {
  billingMode: BillingMode;
  discountPercent: string;
  tierDiscounts: { tier: ModelTier; percent: string }[];
  monthlyCommitment: string;
  creditLimit: string | null;
  paymentTermsDays: number;
  taxRate: string;
  taxMode: TaxMode;
  preferredInvoiceType: InvoiceType;
}

/** What a tenant without a contract is billed on: list prices, monthly in arrears, 6 % VAT on top. */
export const DEFAULT_TERMS: ContractTerms = {
  billingMode: BillingMode.POSTPAID_MONTHLY,
  discountPercent: '0',
  tierDiscounts: [],
  monthlyCommitment: '0',
  creditLimit: null,
  paymentTermsDays: 30,
  taxRate: '0.06',
  taxMode: TaxMode.TAX_EXCLUSIVE,
  preferredInvoiceType: InvoiceType.NORMAL,
};

/** A tenant's terms on a day, from `contract_terms_at`, the one definition of the terms in force. */
export interface TermsInForce {
  contractId: string;
  contractVersion: number;
  terms: ContractTerms;
}

/** The columns of a contract version that make its terms, named as ContractTerms. */
const TERMS_COLUMNS = `t.billing_mode as "billingMode", t.discount_percent::text as "discountPercent", t.tier_discounts as "tierDiscounts",
  t.monthly_commitment::text as "monthlyCommitment", t.credit_limit::text as "creditLimit", t.payment_terms_days as "paymentTermsDays",
  t.tax_rate::text as "taxRate", t.tax_mode as "taxMode", t.preferred_invoice_type as "preferredInvoiceType"`;

type TermsRow = { key: string; contractId: string; contractVersion: number } & ContractTerms;

function byKey(rows: TermsRow[]): Map<string, TermsInForce> {
  return new Map(rows.map(({ key, contractId, contractVersion, ...terms }) => [key, { contractId, contractVersion, terms }]));
}

/** One tenant's terms on each of some local days (a period's first days, for settlement). */
export async function termsOnDays(target: SqlTarget, tenantId: string, days: string[]): Promise<Map<string, TermsInForce>> {
  const rows = await queryRows<TermsRow>(
    target,
    `select d.day::text as key, t.contract_id as "contractId", t.version as "contractVersion", ${TERMS_COLUMNS}
       from unnest($2::date[]) as d(day) cross join lateral contract_terms_at($1, d.day) as t`,
    [tenantId, days],
  );
  return byKey(rows);
}

/** Each tenant's terms at an instant, on its local day (read outside the ORM: it binds no arrays). */
export async function termsAt(pool: pg.Pool, tenantIds: readonly string[], at: Date): Promise<Map<string, TermsInForce>> {
  const { rows } = await pool.query<TermsRow>({
    name: 'contract-terms-at',
    text: `select n.id as key, t.contract_id as "contractId", t.version as "contractVersion", ${TERMS_COLUMNS}
             from tenant n cross join lateral contract_terms_at(n.id, ($2::timestamptz at time zone n.timezone)::date) as t
            where n.id = any($1::text[])`,
    values: [tenantIds, at],
  });
  return byKey(rows);
}
