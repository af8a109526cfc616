import { Decimal, decimal, lineTax, TaxMode, type CurrencyCode, type TaxedAmount } from '../../platform/money.js';
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

/** What invoicing needs of a bill line: its kind, tier, amount as priced, and its VAT figures. */
export interface InvoiceableBillLine {
  kind: BillLineKind;
  modelTier?: ModelTier | null;
  amount: string;
  net: string;
  tax: string;
  gross: string;
}

/** A line of an invoice already issued for the bill (a red-letter one negative). */
export interface InvoicedLine {
  item: VatInvoiceItem;
  amount: string;
  net: string;
  tax: string;
  gross: string;
}

/** What is left to invoice of an item: its amount as priced, and its net, tax and gross. */
export interface ItemBalance extends TaxedAmount {
  amount: Decimal;
}

/**
 * The largest difference China's fapiao system accepts between a line's tax and its net x rate
 * (单行税额误差 0.06 元). Within it, an invoice's last line of an item may carry the rounding that
 * the bill's per-line VAT left, so that the invoices of a bill add up to it exactly.
 */
export const LINE_TAX_TOLERANCE = new Decimal('0.06');

/** The share of the tolerance each line of a split remainder may take (the rest is rounding to the fen). */
const SPLIT_LINE_DEVIATION = new Decimal('0.03');

/**
 * The invoice item a bill line belongs to: usage, late usage and discounts by model tier (a
 * discount is netted into the service it discounts, as a fapiao prints it), the commitment
 * true-up on its own.
 */
export function invoiceItemOf(line: Pick<InvoiceableBillLine, 'kind' | 'modelTier'>): VatInvoiceItem {
  if (line.kind === BillLineKind.COMMITMENT_TRUE_UP) return VatInvoiceItem.COMMITMENT_TRUE_UP;
  return ITEM_OF_TIER[line.modelTier!];
}

/** Per item, what is left to invoice: the bill's lines less what earlier invoices (red ones negative) took. */
export function invoiceableByItem(billLines: InvoiceableBillLine[], invoicedLines: InvoicedLine[]): Map<VatInvoiceItem, ItemBalance> {
  const remaining = new Map<VatInvoiceItem, ItemBalance>();
  const add = (item: VatInvoiceItem, line: { amount: string; net: string; tax: string; gross: string }, sign: 1 | -1) => {
    const balance = remaining.get(item) ?? { amount: new Decimal(0), net: new Decimal(0), tax: new Decimal(0), gross: new Decimal(0) };
    remaining.set(item, {
      amount: balance.amount.plus(decimal(line.amount).times(sign)),
      net: balance.net.plus(decimal(line.net).times(sign)),
      tax: balance.tax.plus(decimal(line.tax).times(sign)),
      gross: balance.gross.plus(decimal(line.gross).times(sign)),
    });
  };
  for (const line of billLines) add(invoiceItemOf(line), line, 1);
  for (const line of invoicedLines) add(line.item, line, -1);
  return new Map(ITEM_ORDER.filter((item) => remaining.get(item)?.amount.gt(0)).map((item) => [item, remaining.get(item)!]));
}

const fenOf = (value: Decimal) => BigInt(value.times(100).toFixed(0));
const fromFen = (fen: bigint) => new Decimal(fen.toString()).div(100);

/**
 * Splits `amount` over the items in proportion to what is left of each, to the fen (largest
 * remainder, ties to the earlier item): the shares sum to `amount` exactly and none exceeds what
 * is left of its item. `amount` must not exceed the total left.
 */
export function allocateInvoiceAmount(remaining: Map<VatInvoiceItem, ItemBalance>, amount: Decimal): Map<VatInvoiceItem, Decimal> {
  const items = [...remaining.keys()];
  const left = items.map((item) => fenOf(remaining.get(item)!.amount));
  const total = left.reduce((sum, value) => sum + value, 0n);
  const wanted = fenOf(amount);
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
  return new Map(items.map((item, index) => [item, fromFen(shares[index])] as const).filter(([, share]) => share.gt(0)));
}

export interface DraftInvoiceLine extends TaxedAmount {
  item: VatInvoiceItem;
  itemName: string;
  /** In the bill's priced terms: net under tax-exclusive terms, gross under tax-inclusive ones. */
  amount: Decimal;
}

/**
 * The lines of an invoice, one per item, VAT per line in the bill's tax mode (DESIGN 3). A line
 * that takes all that is left of its item takes the item's remaining net, tax and gross exactly,
 * so a bill's invoices add up to the bill once it is fully invoiced; when that remainder differs
 * from net x rate by more than LINE_TAX_TOLERANCE (many bill lines of one tier), it is split into
 * lines of the same item, each within it.
 */
export function invoiceLines(
  shares: Map<VatInvoiceItem, Decimal>,
  remaining: Map<VatInvoiceItem, ItemBalance>,
  taxRate: string,
  taxMode: TaxMode,
  currency: CurrencyCode,
): DraftInvoiceLine[] {
  const rate = decimal(taxRate);
  return [...shares].flatMap(([item, amount]) => {
    const left = remaining.get(item)!;
    const figures = amount.eq(left.amount) ? remainderLines(left, rate, taxMode) : [{ amount, ...lineTax(amount, rate, taxMode, currency) }];
    return figures.map((line) => ({ item, itemName: VAT_INVOICE_ITEM_NAMES[item], ...line }));
  });
}

/** All that is left of an item, in as few lines as keep each within the tax tolerance. */
function remainderLines(left: ItemBalance, rate: Decimal, taxMode: TaxMode): ItemBalance[] {
  const deviation = left.tax.minus(left.net.times(rate)).abs();
  if (deviation.lte(LINE_TAX_TOLERANCE)) return [left];
  const parts = deviation.div(SPLIT_LINE_DEVIATION).ceil().toNumber();
  const nets = splitEvenly(left.net, parts);
  if (taxMode === TaxMode.TAX_EXCLUSIVE) {
    return splitEvenly(left.tax, parts).map((tax, index) => ({ amount: nets[index], net: nets[index], tax, gross: nets[index].plus(tax) }));
  }
  return splitEvenly(left.gross, parts).map((gross, index) => ({ amount: gross, net: nets[index], tax: gross.minus(nets[index]), gross }));
}

/** An amount in `parts` parts to the fen, as equal as can be, the larger ones first. */
function splitEvenly(amount: Decimal, parts: number): Decimal[] {
  const total = fenOf(amount);
  const count = BigInt(parts);
  const base = total / count;
  const extra = total - base * count; // |extra| < parts, with the sign of total
  const step = extra < 0n ? -1n : 1n;
  return Array.from({ length: parts }, (_, index) => fromFen(base + (BigInt(index) < extra * step ? step : 0n)));
}

/** An invoice's totals: the sums of its lines, never computed another way. */
export function invoiceTotals(lines: TaxedAmount[]): TaxedAmount {
  const sum = (pick: (line: TaxedAmount) => Decimal) => lines.reduce((total, line) => total.plus(pick(line)), new Decimal(0));
  return { net: sum((line) => line.net), tax: sum((line) => line.tax), gross: sum((line) => line.gross) };
}
