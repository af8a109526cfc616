import { BillLineKind } from '../../src/modules/bill/bill.entity.js';
import { VatInvoiceItem } from '../../src/modules/invoice/invoice.entity.js';
import { allocateInvoiceAmount, invoiceableByItem, invoiceLines, invoiceTotals } from '../../src/modules/invoice/invoice-lines.js';
import { ModelTier } from '../../src/modules/price/model-price.entity.js';
import { CurrencyCode, decimal, TaxMode } from '../../src/platform/money.js';

const usage = (tier: ModelTier, amount: string) => ({ kind: BillLineKind.USAGE, modelTier: tier, amount });
const text = (map: Map<VatInvoiceItem, { toFixed(digits: number): string }>) => Object.fromEntries([...map].map(([item, value]) => [item, value.toFixed(2)]));

describe('invoice lines', () => {
  const billLines = [
    usage(ModelTier.STANDARD, '600.05'),
    usage(ModelTier.ECONOMY, '100.00'),
    usage(ModelTier.STANDARD, '399.95'),
    { kind: BillLineKind.DISCOUNT, modelTier: ModelTier.STANDARD, amount: '-100.00' },
    { kind: BillLineKind.LATE_USAGE_ADJUSTMENT, modelTier: ModelTier.PREMIUM, amount: '0.10' },
    { kind: BillLineKind.COMMITMENT_TRUE_UP, amount: '50.00' },
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
    const invoiced = [
      { item: VatInvoiceItem.AI_API_ECONOMY, amount: '100.00' },
      { item: VatInvoiceItem.AI_API_STANDARD, amount: '300.00' },
      { item: VatInvoiceItem.AI_API_STANDARD, amount: '-300.00' },
      { item: VatInvoiceItem.AI_API_STANDARD, amount: '250.00' },
    ];
    expect(text(invoiceableByItem(billLines, invoiced))).toEqual({ AI_API_STANDARD: '650.00', AI_API_PREMIUM: '0.10', COMMITMENT_TRUE_UP: '50.00' });
  });

  it('allocates a partial amount in proportion, to the fen, summing exactly and never above an item', () => {
    const remaining = invoiceableByItem(billLines, []);
    const shares = allocateInvoiceAmount(remaining, decimal('333.33'));
    const sum = [...shares.values()].reduce((total, share) => total.plus(share), decimal('0'));
    expect(sum.toFixed(2)).toBe('333.33');
    for (const [item, share] of shares) expect(share.lte(remaining.get(item)!)).toBe(true);
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
    const exclusive = invoiceLines(shares, '0.0600', TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY);
    expect(exclusive.map(({ net, tax, gross }) => [net, tax, gross].map((value) => value.toFixed(2)))).toEqual([
      ['0.08', '0.00', '0.08'],
      ['1234.56', '74.07', '1308.63'],
    ]);
    const inclusive = invoiceLines(shares, '0.0600', TaxMode.TAX_INCLUSIVE, CurrencyCode.CNY);
    expect(inclusive.map(({ net, tax, gross }) => [net, tax, gross].map((value) => value.toFixed(2)))).toEqual([
      ['0.08', '0.00', '0.08'],
      ['1164.68', '69.88', '1234.56'],
    ]);
    for (const line of [...exclusive, ...inclusive]) expect(line.net.times('0.06').minus(line.tax).abs().lte('0.01')).toBe(true);
    expect(exclusive[1].itemName).toBe('*信息技术服务*AI模型API服务(标准型)');
    const totals = invoiceTotals(inclusive);
    expect([totals.net, totals.tax, totals.gross].map((value) => value.toFixed(2))).toEqual(['1164.76', '69.88', '1234.64']);
  });
});
