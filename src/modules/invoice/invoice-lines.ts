import { Decimal, decimal, lineTax, type CurrencyCode, type TaxedAmount, type TaxMode } from '../../platform/money.js';
import { ModelTier } from '../price/model-price.entity.js';
import { BillLineKind } from '../bill/bill.entity.js';
import { VatInvoiceItem } from './invoice.entity.js';

/** Fapiao item names: "*tax category short name*service name", as the tax system prints them. */
export const VAT_INVOICE_ITEM_NAMES: Record<VatInvoiceItem, string> = {
  AI_API_ECONOMY: '*信息技术服务*AI模型API服务(经济型)',
  AI_API_STANDARD: '*信息技术服务*AI模型API服务(标准型)',
  AI_API_PREMIUM: '*信息技术服务*AI模型API服务(高级型)',
  COMMITMENT_TRUE_UP: '*信息技术服务*AI模型API服务(月度最低消费补足)',
};

const ITEM_ORDER = Object.values(VatInvoiceItem);

const ITEM_OF_TIER: Record<ModelTier, VatInvoiceItem> = {
  [ModelTier.ECONOMY]: VatInvoiceItem.AI_API_ECONOMY,
  [ModelTier.STANDARD]: VatInvoiceItem.AI_API_STANDARD,
  [ModelTier.PREMIUM]: VatInvoiceItem.AI_API_PREMIUM,
};

/** What the invoice needs of a bill line: its kind, tier and amount as priced. */
export interface InvoiceableBillLine {
  kind: BillLineKind;
  modelTier?: ModelTier | null;
  amount: string;
}

/**
 * The invoice item a bill line belongs to: usage, late usage and discounts by model tier (a
 * discount is netted into the service it discounts, as a fapiao prints it), the commitment
 * true-up on its own.
 */
export function invoiceItemOf(line: InvoiceableBillLine): VatInvoiceItem {
  if (line.kind === BillLineKind.COMMITMENT_TRUE_UP) return VatInvoiceItem.COMMITMENT_TRUE_UP;
  return ITEM_OF_TIER[line.modelTier!];
}

/** Per item, what is left to invoice: the bill's lines less what earlier invoices (red ones negative) took. */
export function invoiceableByItem(billLines: InvoiceableBillLine[], invoicedLines: { item: VatInvoiceItem; amount: string }[]): Map<VatInvoiceItem, Decimal> {
  const remaining = new Map<VatInvoiceItem, Decimal>();
  const add = (item: VatInvoiceItem, amount: Decimal) => remaining.set(item, (remaining.get(item) ?? new Decimal(0)).plus(amount));
  for (const line of billLines) add(invoiceItemOf(line), decimal(line.amount));
  for (const line of invoicedLines) add(line.item, decimal(line.amount).negated());
  return new Map(ITEM_ORDER.filter((item) => remaining.get(item)?.gt(0)).map((item) => [item, remaining.get(item)!]));
}

/**
 * Splits `amount` over the items in proportion to what is left of each, to the fen (largest
 * remainder, ties to the earlier item): the shares sum to `amount` exactly and none exceeds what
 * is left of its item. `amount` must not exceed the total left.
 */
export function allocateInvoiceAmount(remaining: Map<VatInvoiceItem, Decimal>, amount: Decimal): Map<VatInvoiceItem, Decimal> {
  const fen = (value: Decimal) => BigInt(value.times(100).toFixed(0));
  const items = [...remaining.keys()];
  const left = items.map((item) => fen(remaining.get(item)!));
  const total = left.reduce((sum, value) => sum + value, 0n);
  const wanted = fen(amount);
  if (wanted > total) throw new RangeError(`cannot allocate ${amount.toFixed(2)} of ${total} fen`);
  const shares = left.map((value) => (wanted * value) / total);
  const byRemainder = items
    .map((_, index) => ({ index, remainder: (wanted * left[index]) % total }))
    .sort((first, second) => (second.remainder > first.remainder ? 1 : second.remainder < first.remainder ? -1 : first.index - second.index));
  let short = wanted - shares.reduce((sum, value) => sum + value, 0n);
  for (const { index } of byRemainder) {
    if (short === 0n) break;
    shares[index] += 1n;
    short -= 1n;
  }
  return new Map(items.map((item, index) => [item, new Decimal(shares[index].toString()).div(100)] as const).filter(([, share]) => share.gt(0)));
}

export interface DraftInvoiceLine extends TaxedAmount {
  item: VatInvoiceItem;
  itemName: string;
  /** In the bill's priced terms: net under tax-exclusive terms, gross under tax-inclusive ones. */
  amount: Decimal;
}

/** One line per item, VAT per line in the bill's tax mode (DESIGN 3): each line's tax is within 0.01 of net x rate. */
export function invoiceLines(shares: Map<VatInvoiceItem, Decimal>, taxRate: string, taxMode: TaxMode, currency: CurrencyCode): DraftInvoiceLine[] {
  return [...shares].map(([item, amount]) => ({
    item,
    itemName: VAT_INVOICE_ITEM_NAMES[item],
    amount,
    ...lineTax(amount, decimal(taxRate), taxMode, currency),
  }));
}

/** An invoice's totals: the sums of its lines, never computed another way. */
export function invoiceTotals(lines: TaxedAmount[]): TaxedAmount {
  const sum = (pick: (line: TaxedAmount) => Decimal) => lines.reduce((total, line) => total.plus(pick(line)), new Decimal(0));
  return { net: sum((line) => line.net), tax: sum((line) => line.tax), gross: sum((line) => line.gross) };
}
