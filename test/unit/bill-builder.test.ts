import { buildBill, type UsageGroup } from '../../src/modules/bill/bill-builder.js';
import { BillLineKind } from '../../src/modules/bill/bill.entity.js';
import { DEFAULT_TERMS, type ContractTerms } from '../../src/modules/contract/contract-terms.js';
import { ModelTier } from '../../src/modules/price/model-price.entity.js';
import { CurrencyCode, decimal, lineTax, TaxMode } from '../../src/platform/money.js';

function group(charged: string, overrides: Partial<UsageGroup> = {}): UsageGroup {
  return {
    adjustedPeriod: null,
    departmentId: 'dep_1',
    departmentName: '研发部',
    model: 'chat-pro',
    tier: ModelTier.PREMIUM,
    priceId: 'prc_1',
    requestCount: 1,
    inputTokens: 0,
    outputTokens: 0,
    cachedInputTokens: 0,
    imageCount: 0,
    videoSeconds: 0,
    charged,
    ...overrides,
  };
}

function bill(usage: UsageGroup[], terms: Partial<ContractTerms> = {}, hasContract = true) {
  return buildBill({
    period: '2026-10',
    currency: CurrencyCode.CNY,
    terms: { ...DEFAULT_TERMS, ...terms },
    hasContract,
    termsOfAdjustedPeriods: new Map(),
    usage,
  });
}

const amounts = (values: { amount: { toFixed(digits: number): string } }[]) => values.map((line) => line.amount.toFixed(2));

describe('bill lines round half-up to the fen', () => {
  it('rounds 0.005 up and 0.0049999999999999 down', () => {
    const built = bill([group('0.005'), group('0.0049999999999999', { model: 'embed' }), group('1.0150000000000001', { model: 'paint' })]);
    expect(amounts(built.lines)).toEqual(['0.01', '0.00', '1.02']);
  });

  it('rounds tax half-up per line: 12.25 x 6 % = 0.735 -> 0.74', () => {
    expect(lineTax(decimal('12.25'), decimal('0.06'), TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY)).toEqual({
      net: decimal('12.25'),
      tax: decimal('0.74'),
      gross: decimal('12.99'),
    });
  });

  it('backs the net out of a tax-inclusive gross and keeps gross = net + tax', () => {
    // 10.60 / 1.06 = 10.00 exactly; 0.01 / 1.06 = 0.00943 -> net 0.01, tax 0.00
    expect(lineTax(decimal('10.60'), decimal('0.06'), TaxMode.TAX_INCLUSIVE, CurrencyCode.CNY)).toEqual({
      net: decimal('10'),
      tax: decimal('0.6'),
      gross: decimal('10.6'),
    });
    const small = lineTax(decimal('0.01'), decimal('0.06'), TaxMode.TAX_INCLUSIVE, CurrencyCode.CNY);
    expect([small.net.toFixed(2), small.tax.toFixed(2)]).toEqual(['0.01', '0.00']);
  });

  it('rounds a negative (discount) line symmetrically', () => {
    expect(lineTax(decimal('-12.25'), decimal('0.06'), TaxMode.TAX_EXCLUSIVE, CurrencyCode.CNY).tax.toFixed(2)).toBe('-0.74');
  });
});

describe('the bill pipeline', () => {
  it('discounts per tier, with a tier discount replacing the overall one', () => {
    const built = bill(
      [group('100.004'), group('50.005', { model: 'embed', tier: ModelTier.ECONOMY }), group('10', { departmentName: '市场部', departmentId: 'dep_2' })],
      { discountPercent: '10', tierDiscounts: [{ tier: ModelTier.ECONOMY, percent: '33.33' }] },
    );
    const discounts = built.lines.filter((line) => line.kind === BillLineKind.DISCOUNT);
    // ECONOMY: 50.01 x 33.33 % = 16.668333 -> -16.67; PREMIUM: (100.00 + 10.00) x 10 % = -11.00
    expect(discounts.map((line) => [line.modelTier, line.amount.toFixed(2)])).toEqual([
      ['ECONOMY', '-16.67'],
      ['PREMIUM', '-11.00'],
    ]);
  });

  it('trues up to the monthly commitment after discounts, and only with a contract', () => {
    const built = bill([group('80')], { discountPercent: '10', monthlyCommitment: '100' });
    const trueUp = built.lines.find((line) => line.kind === BillLineKind.COMMITMENT_TRUE_UP)!;
    expect(trueUp.amount.toFixed(2)).toBe('28.00'); // 100 - (80 - 8)
    expect(bill([group('80')], { monthlyCommitment: '100' }, false).lines.some((line) => line.kind === BillLineKind.COMMITMENT_TRUE_UP)).toBe(false);
    expect(bill([group('180')], { monthlyCommitment: '100' }).lines.some((line) => line.kind === BillLineKind.COMMITMENT_TRUE_UP)).toBe(false);
  });

  it('puts late usage on lines of its own naming the period, outside the commitment', () => {
    const built = bill([group('10'), group('5', { adjustedPeriod: '2026-09' })], { monthlyCommitment: '10' });
    expect(built.lines.map((line) => [line.kind, line.description])).toEqual([
      [BillLineKind.USAGE, '研发部 · chat-pro'],
      [BillLineKind.LATE_USAGE_ADJUSTMENT, 'Late usage of 2026-09 · 研发部 · chat-pro'],
    ]);
  });

  it('totals are the sums of the lines', () => {
    const built = bill([group('33.333'), group('66.667', { model: 'x' }), group('0.005', { model: 'y' })], {
      discountPercent: '7.5',
      monthlyCommitment: '500',
    });
    const sum = (pick: (line: (typeof built.lines)[number]) => { plus(value: unknown): unknown }) =>
      built.lines.reduce((total, line) => total.plus(pick(line) as never), decimal('0'));
    expect(sum((line) => line.net).eq(built.net)).toBe(true);
    expect(sum((line) => line.tax).eq(built.tax)).toBe(true);
    expect(sum((line) => line.gross).eq(built.gross)).toBe(true);
    expect(built.gross.eq(built.net.plus(built.tax))).toBe(true);
  });
});
