import fc from 'fast-check';
import { BillLineKind } from '../../src/modules/bill/bill.entity.js';
import { VatInvoiceItem } from '../../src/modules/invoice/invoice.entity.js';
import {
  allocateInvoiceAmount,
  invoiceableByItem,
  invoiceLines,
  invoiceTotals,
  type InvoiceableBillLine,
  type InvoicedLine,
  type ItemBalance,
} from '../../src/modules/invoice/invoice-lines.js';
import { ModelTier } from '../../src/modules/price/model-price.entity.js';
import { CurrencyCode, Decimal, decimal, lineTax, TaxMode } from '../../src/platform/money.js';
import { fenText } from '../support/integer-money.js';

/** A bill line with its VAT as the bill builder computes it (6 %). */
function billLine(kind: BillLineKind, tier: ModelTier | null, amount: string, taxMode = TaxMode.TAX_EXCLUSIVE): InvoiceableBillLine {
  const { net, tax, gross } = lineTax(decimal(amount), decimal('0.06'), taxMode, CurrencyCode.CNY);
  return { kind, modelTier: tier, amount, net: net.toFixed(2), tax: tax.toFixed(2), gross: gross.toFixed(2) };
}
const usage = (tier: ModelTier, amount: string, taxMode = TaxMode.TAX_EXCLUSIVE) => billLine(BillLineKind.USAGE, tier, amount, taxMode);
const invoiced = (item: VatInvoiceItem, amount: string): InvoicedLine => {
  const { net, tax, gross } = lineTax(decimal(amount), decimal('0.06'), TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY);
  return { item, amount, net: net.toFixed(2), tax: tax.toFixed(2), gross: gross.toFixed(2) };
};
const text = (map: Map<VatInvoiceItem, Decimal | ItemBalance>) =>
  Object.fromEntries([...map].map(([item, value]) => [item, ('amount' in value ? value.amount : value).toFixed(2)]));

describe('invoice lines', () => {
  const billLines = [
    usage(ModelTier.STANDARD, '600.05'),
    usage(ModelTier.ECONOMY, '100.00'),
    usage(ModelTier.STANDARD, '399.95'),
    billLine(BillLineKind.DISCOUNT, ModelTier.STANDARD, '-100.00'),
    billLine(BillLineKind.LATE_USAGE_ADJUSTMENT, ModelTier.PREMIUM, '0.10'),
    billLine(BillLineKind.COMMITMENT_TRUE_UP, null, '50.00'),
  ];

  it('groups bill lines per item, discounts netted into their tier, in item order', () => {
    expect(text(invoiceableByItem(billLines, []))).toEqual({
      AI_API_ECONOMY: '100.00',
      AI_API_STANDARD: '900.00',
      AI_API_PREMIUM: '0.10',
      COMMITMENT_TRUE_UP: '50.00',
    });
  });

  it('subtracts what earlier invoices took and drops what is used up; red-letter lines give it back', () => {
    const earlier = [
      invoiced(VatInvoiceItem.AI_API_ECONOMY, '100.00'),
      invoiced(VatInvoiceItem.AI_API_STANDARD, '300.00'),
      invoiced(VatInvoiceItem.AI_API_STANDARD, '-300.00'),
      invoiced(VatInvoiceItem.AI_API_STANDARD, '250.00'),
    ];
    expect(text(invoiceableByItem(billLines, earlier))).toEqual({ AI_API_STANDARD: '650.00', AI_API_PREMIUM: '0.10', COMMITMENT_TRUE_UP: '50.00' });
  });

  it('allocates a partial amount in proportion, to the fen, summing exactly and never above an item', () => {
    const remaining = invoiceableByItem(billLines, []);
    const shares = allocateInvoiceAmount(remaining, decimal('333.33'));
    const sum = [...shares.values()].reduce((total, share) => total.plus(share), decimal('0'));
    expect(sum.toFixed(2)).toBe('333.33');
    for (const [item, share] of shares) expect(share.lte(remaining.get(item)!.amount)).toBe(true);
    // 333.33 x (100, 900, 0.10, 50) / 1050.10: 31.74 / 285.68 / 0.03 / 15.87 before the remainders.
    expect(text(shares)).toEqual({ AI_API_ECONOMY: '31.74', AI_API_STANDARD: '285.69', AI_API_PREMIUM: '0.03', COMMITMENT_TRUE_UP: '15.87' });
    expect(text(allocateInvoiceAmount(remaining, decimal('1050.10')))).toEqual(text(remaining));
    expect(() => allocateInvoiceAmount(remaining, decimal('1050.11'))).toThrow(RangeError);
  });

  it("computes VAT per line in the bill's tax mode, each within 0.01 of net x rate, totals the sums", () => {
    const shares = new Map([
      [VatInvoiceItem.AI_API_ECONOMY, decimal('0.08')],
      [VatInvoiceItem.AI_API_STANDARD, decimal('1234.56')],
    ]);
    // Parts of larger items: VAT computed on the share.
    const remaining = invoiceableByItem([usage(ModelTier.ECONOMY, '1.00'), usage(ModelTier.STANDARD, '2000.00')], []);
    const exclusive = invoiceLines(shares, remaining, '0.0600', TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY);
    expect(exclusive.map(({ net, tax, gross }) => [net, tax, gross].map((value) => value.toFixed(2)))).toEqual([
      ['0.08', '0.00', '0.08'],
      ['1234.56', '74.07', '1308.63'],
    ]);
    const inclusive = invoiceLines(shares, remaining, '0.0600', TaxMode.TAX_INCLUSIVE, CurrencyCode.CNY);
    expect(inclusive.map(({ net, tax, gross }) => [net, tax, gross].map((value) => value.toFixed(2)))).toEqual([
      ['0.08', '0.00', '0.08'],
      ['1164.68', '69.88', '1234.56'],
    ]);
    for (const line of [...exclusive, ...inclusive]) expect(line.net.times('0.06').minus(line.tax).abs().lte('0.01')).toBe(true);
    expect(exclusive[1].itemName).toBe('*信息技术服务*AI模型API服务(标准型)');
    const totals = invoiceTotals(inclusive);
    expect([totals.net, totals.tax, totals.gross].map((value) => value.toFixed(2))).toEqual(['1164.76', '69.88', '1234.64']);
  });

  it("takes the rest of an item's bill VAT on the line that uses the item up, split where the rest is beyond the 0.06 tolerance", () => {
    // 40 lines of 0.75 at 6 %: 0.045 each, 0.05 rounded; the item's VAT is 2.00, where 30.00 x 6 % is 1.80.
    const lines = Array.from({ length: 40 }, () => usage(ModelTier.PREMIUM, '0.75'));
    const remaining = invoiceableByItem(lines, []);
    const whole = invoiceLines(allocateInvoiceAmount(remaining, decimal('30.00')), remaining, '0.06', TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY);
    expect(whole.map(({ net, tax }) => [net.toFixed(2), tax.toFixed(2)])).toEqual([
      ['4.29', '0.29'],
      ['4.29', '0.29'],
      ['4.29', '0.29'],
      ['4.29', '0.29'],
      ['4.28', '0.28'],
      ['4.28', '0.28'],
      ['4.28', '0.28'],
    ]);
    expect(whole.every((line) => line.item === VatInvoiceItem.AI_API_PREMIUM)).toBe(true);
    const totals = invoiceTotals(whole);
    expect([totals.net, totals.tax, totals.gross].map((value) => value.toFixed(2))).toEqual(['30.00', '2.00', '32.00']);
  });

  type Figures = Record<'amount' | 'net' | 'tax' | 'gross', string | Decimal>;
  const zero = (): Figures => ({ amount: '0', net: '0', tax: '0', gross: '0' });
  const add = (sum: Figures, line: Figures): Figures => ({
    amount: decimal(sum.amount).plus(line.amount),
    net: decimal(sum.net).plus(line.net),
    tax: decimal(sum.tax).plus(line.tax),
    gross: decimal(sum.gross).plus(line.gross),
  });
  /** Figures as text to the fen, negated with sign -1. */
  const texts = (line: Figures, sign = 1) => ({
    amount: decimal(line.amount).times(sign).toFixed(2),
    net: decimal(line.net).times(sign).toFixed(2),
    tax: decimal(line.tax).times(sign).toFixed(2),
    gross: decimal(line.gross).times(sign).toFixed(2),
  });

  /** Bill lines of random amounts in random tiers, VAT per line as the bill has it. */
  const billArbitrary = (taxMode: TaxMode) =>
    fc
      .array(
        fc.record({ tier: fc.constantFrom(ModelTier.ECONOMY, ModelTier.STANDARD, ModelTier.PREMIUM, null), fen: fc.integer({ min: 1, max: 2_000_000 }) }),
        { minLength: 1, maxLength: 60 },
      )
      .map((lines) => lines.map(({ tier, fen }) => billLine(tier ? BillLineKind.USAGE : BillLineKind.COMMITMENT_TRUE_UP, tier, fenText(BigInt(fen)), taxMode)));

  it.each([TaxMode.TAX_EXCLUSIVE, TaxMode.TAX_INCLUSIVE])(
    'invoices of a bill in any parts add up to it exactly once it is fully invoiced, each line within the tolerance (%s)',
    (taxMode) => {
      fc.assert(
        fc.property(billArbitrary(taxMode), fc.array(fc.integer({ min: 1, max: 99 }), { maxLength: 5 }), fc.boolean(), (lines, percents, reverseFirst) => {
          const invoices: InvoicedLine[][] = [];
          const issue = (amount: Decimal | null) => {
            const remaining = invoiceableByItem(lines, invoices.flat());
            const left = [...remaining.values()].reduce((sum, item) => sum.plus(item.amount), decimal('0'));
            const drafted = invoiceLines(allocateInvoiceAmount(remaining, amount ?? left), remaining, '0.06', taxMode, CurrencyCode.CNY);
            for (const line of drafted) {
              expect(line.tax.minus(line.net.times('0.06')).abs().lte('0.06')).toBe(true);
              expect(line.gross.minus(line.net).minus(line.tax).isZero()).toBe(true);
            }
            invoices.push(drafted.map((line) => ({ item: line.item, ...texts(line) })));
          };
          const total = lines.reduce((sum, line) => sum.plus(line.amount), decimal('0'));
          for (const percent of percents) {
            const part = total.times(percent).div(1000).toDecimalPlaces(2, Decimal.ROUND_DOWN); // a tenth of the percent
            if (part.gt(0)) issue(part);
          }
          // A red-letter invoice gives the first invoice's lines back, to be invoiced again.
          if (reverseFirst && invoices.length) invoices.push(invoices[0].map((line) => ({ item: line.item, ...texts(line, -1) })));
          issue(null);
          const sums = (of: Figures[]) => texts(of.reduce((sum, line) => add(sum, line), zero()));
          expect(sums(invoices.flat())).toEqual(sums(lines));
        }),
        { numRuns: 300 },
      );
    },
  );
});
