import type { RequestContext } from '../../context.js';
import { decimal, moneyWriters, TaxMode } from '../../platform/money.js';
import { periodOfDate } from '../../platform/period.js';
import { BillLineKind, type Bill, type BillLine, type Payment } from './bill.entity.js';
import { quantitiesOf } from './bill-builder.js';
import type { TaxParty } from '../../platform/tax/tax-party.js';
import { loadOperatorProfile, sellerOf } from '../operator-profile/operator-profile.service.js';
import type { ModelPrice } from '../price/model-price.entity.js';
import { renderBillPdf } from './bill-pdf.js';
import { amountDue } from './bill-amounts.js';
import { billSummaryJson, paymentJson } from './bill-webhooks.js';
import { findBill } from './bill.service.js';
import type { Tenant } from '../tenant/tenant.entity.js';

export interface BillExport {
  bill: Bill;
  lines: BillLine[];
  payments: Payment[];
  tenant: Tenant;
  /** The price rows the bill's usage lines were rated with, by id. */
  prices: Map<string, ModelPrice>;
  buyer: { legalName: string | null; taxpayerId: string | null; address: string | null };
  /** The operator profile; null until the operator sets it. */
  seller: TaxParty | null;
}

/** Printed as the seller of statements made before the operator profile is set. */
const SELLER_NOT_SET = '销售方未设置 Seller profile not set';

/** A bill with everything an export prints, or null when the caller cannot see it. */
export async function loadBillExport(context: RequestContext, billId: string): Promise<BillExport | null> {
  const bill = await findBill(context, billId);
  if (!bill) return null;
  const [lines, payments, tenant, operator] = await Promise.all([
    context.loaders.billLines.load(bill.id),
    context.loaders.billPayments.load(bill.id),
    context.loaders.tenantById.load(bill.tenantId),
    loadOperatorProfile(context.em),
  ]);
  const profile = tenant!.buyerTaxProfile;
  const priceIds = [...new Set(lines.flatMap((line) => (line.priceId ? [line.priceId] : [])))];
  const prices = await context.loaders.modelPriceById.loadMany(priceIds);
  return {
    bill,
    lines,
    payments,
    tenant: tenant!,
    prices: new Map(prices.flatMap((price) => (price && !(price instanceof Error) ? [[price.id, price] as const] : []))),
    buyer: { legalName: profile.legalName ?? null, taxpayerId: profile.taxpayerId ?? null, address: profile.address ?? null },
    seller: operator ? sellerOf(operator) : null,
  };
}

/** The JSON export: the Bill as GraphQL has it, with lines (unit price and price version) and payments, amounts as Money with exact decimal strings. */
export function billJson({ bill, lines, payments, tenant, prices }: BillExport): Record<string, unknown> {
  const { money, taxed } = moneyWriters(bill.currency);
  return {
    ...billSummaryJson(bill),
    tenant: { id: tenant.id, externalId: tenant.externalId ?? null, name: tenant.name },
    lines: lines.map((line) => {
      const price = line.priceId ? prices.get(line.priceId) : undefined;
      const rate = (value: string) => money(decimal(value).toFixed());
      return {
        lineNumber: line.lineNumber,
        kind: line.kind,
        description: line.description,
        department: line.departmentId ? { id: line.departmentId } : null,
        model: line.model ?? null,
        modelTier: line.modelTier ?? null,
        adjustedPeriod: line.adjustedPeriodStart ? periodOfDate(line.adjustedPeriodStart) : null,
        unitPrice: price
          ? {
              id: price.id,
              effectiveFrom: price.effectiveFrom.toISOString(),
              inputPerMillionTokens: rate(price.inputPerMillion),
              outputPerMillionTokens: rate(price.outputPerMillion),
              cachedInputPerMillionTokens: rate(price.cachedInputPerMillion),
              perRequest: rate(price.perRequest),
              perImage: rate(price.perImage),
              perVideoSecond: rate(price.perVideoSecond),
            }
          : null,
        quantity: quantitiesOf(line),
        exactAmount: decimal(line.exactAmount).toFixed(),
        amount: money(line.amount),
        total: taxed(line.net, line.tax, line.gross),
      };
    }),
    payments: payments.map(paymentJson),
  };
}

const integer = new Intl.NumberFormat('en-US');

function quantityText(line: BillLine): string | null {
  if (line.kind !== BillLineKind.USAGE && line.kind !== BillLineKind.LATE_USAGE_ADJUSTMENT) return null;
  const tokens = line.inputTokens + line.outputTokens + line.cachedInputTokens;
  const parts = [`${integer.format(line.requestCount)} requests`];
  if (tokens > 0) parts.push(`${integer.format(tokens)} tokens`);
  if (line.imageCount > 0) parts.push(`${integer.format(line.imageCount)} images`);
  if (line.videoSeconds > 0) parts.push(`${integer.format(line.videoSeconds)} s video`);
  return parts.join(' · ');
}

/** A usage line's rates, one per line, as exact as the price book has them: "in 2.5 /M tok", "0.04 /img". */
function unitPriceText(line: BillLine, prices: Map<string, ModelPrice>): string | null {
  const price = line.priceId ? prices.get(line.priceId) : undefined;
  if (!price) return null;
  const rates: [rate: string, unit: string][] = [
    [price.inputPerMillion, 'in {} /M tok'],
    [price.outputPerMillion, 'out {} /M tok'],
    [price.cachedInputPerMillion, 'cached {} /M tok'],
    [price.perRequest, '{} /req'],
    [price.perImage, '{} /img'],
    [price.perVideoSecond, '{} /s video'],
  ];
  const text = rates.filter(([rate]) => !decimal(rate).isZero()).map(([rate, unit]) => unit.replace('{}', decimal(rate).toFixed()));
  return text.length ? text.join('\n') : null;
}

export function billPdf(data: BillExport): Promise<Buffer> {
  const { bill, lines, seller } = data;
  return renderBillPdf({
    number: bill.number ?? '',
    period: periodOfDate(bill.periodStart),
    status: bill.status,
    currency: bill.currency,
    finalizedAt: bill.finalizedAt ?? bill.createdAt,
    timezone: data.tenant.timezone,
    dueOn: bill.dueOn ?? '',
    seller: seller ? { name: seller.legalName, ...seller } : { name: SELLER_NOT_SET },
    buyer: { name: data.buyer.legalName ?? data.tenant.name, taxpayerId: data.buyer.taxpayerId, address: data.buyer.address },
    taxMode: bill.taxMode === TaxMode.TAX_EXCLUSIVE ? 'TAX_EXCLUSIVE' : 'TAX_INCLUSIVE',
    taxRate: bill.taxRate,
    lines: lines.map((line) => ({
      description: line.description,
      quantity: quantityText(line),
      unitPrice: unitPriceText(line, data.prices),
      net: line.net,
      tax: line.tax,
      gross: line.gross,
    })),
    totals: { net: bill.netTotal, tax: bill.taxTotal, gross: bill.grossTotal, amountPaid: bill.amountPaid, amountDue: amountDue(bill) },
  });
}
