import { decimal, Decimal, lineTax, roundToMinorUnit, type CurrencyCode } from '../../platform/money.js';
import type { Period } from '../../platform/period.js';
import type { ContractTerms } from '../contract/contract-terms.js';
import type { ModelTier } from '../price/model-price.entity.js';
import { BillLineKind } from './bill.entity.js';

/** Model tiers as a Chinese reader of a statement knows them (the English name follows). */
const TIER_NAMES: Record<ModelTier, string> = { ECONOMY: '经济型', STANDARD: '标准型', PREMIUM: '高级型' };

/** What a usage line counts. */
export interface UsageQuantities {
  requestCount: number;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  imageCount: number;
  videoSeconds: number;
}

export function quantitiesOf(source: UsageQuantities): UsageQuantities {
  const { requestCount, inputTokens, outputTokens, cachedInputTokens, imageCount, videoSeconds } = source;
  return { requestCount, inputTokens, outputTokens, cachedInputTokens, imageCount, videoSeconds };
}

/** Charged usage of one department, model and price version, summed in the database. */
export interface UsageGroup extends UsageQuantities {
  /** Null for usage of the billed period; the earlier period for late usage. */
  adjustedPeriod: Period | null;
  departmentId: string;
  departmentName: string;
  model: string;
  tier: ModelTier;
  priceId: string;
  /** Exact sum of the rows' charged amounts. */
  charged: string;
}

export interface BillInputs {
  period: Period;
  currency: CurrencyCode;
  terms: ContractTerms;
  /** Whether a contract is in force for the period: the monthly commitment is the contract's. */
  hasContract: boolean;
  /** The terms each earlier period with late usage was billed on: its discount applies to that usage. */
  termsOfAdjustedPeriods: Map<Period, ContractTerms>;
  usage: UsageGroup[];
}

export interface DraftLine extends UsageQuantities {
  kind: BillLineKind;
  description: string;
  departmentId: string | null;
  model: string | null;
  modelTier: ModelTier | null;
  priceId: string | null;
  adjustedPeriod: Period | null;
  exactAmount: Decimal;
  /** Rounded to the minor unit: net under tax-exclusive terms, gross under tax-inclusive ones. */
  amount: Decimal;
  net: Decimal;
  tax: Decimal;
  gross: Decimal;
}

export interface BuiltBill {
  lines: DraftLine[];
  net: Decimal;
  tax: Decimal;
  gross: Decimal;
  /** Exact charged usage the bill covers (what prepaid balances were debited). */
  exactUsage: Decimal;
}

interface Draft {
  inputs: BillInputs;
  lines: DraftLine[];
  totals: { net: Decimal; tax: Decimal; gross: Decimal };
}

const ZERO_QUANTITIES: UsageQuantities = { requestCount: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, imageCount: 0, videoSeconds: 0 };

function pendingTax(): Pick<DraftLine, 'net' | 'tax' | 'gross'> {
  return { net: new Decimal(0), tax: new Decimal(0), gross: new Decimal(0) };
}

function usageLine(kind: BillLineKind, group: UsageGroup, currency: CurrencyCode, description: string): DraftLine {
  const exactAmount = decimal(group.charged);
  return {
    kind,
    description,
    departmentId: group.departmentId,
    model: group.model,
    modelTier: group.tier,
    priceId: group.priceId,
    adjustedPeriod: group.adjustedPeriod,
    ...quantitiesOf(group),
    exactAmount,
    amount: roundToMinorUnit(exactAmount, currency),
    ...pendingTax(),
  };
}

function byLineOrder(left: UsageGroup, right: UsageGroup): number {
  return (
    (left.adjustedPeriod ?? '').localeCompare(right.adjustedPeriod ?? '') ||
    left.departmentName.localeCompare(right.departmentName) ||
    left.departmentId.localeCompare(right.departmentId) ||
    left.model.localeCompare(right.model) ||
    left.priceId.localeCompare(right.priceId)
  );
}

/** One line per department, model and price version of the period: the rounded sum of its exact charges. */
function usageLines(draft: Draft): void {
  const { usage, currency } = draft.inputs;
  for (const group of usage.filter((item) => item.adjustedPeriod === null).sort(byLineOrder)) {
    draft.lines.push(usageLine(BillLineKind.USAGE, group, currency, `${group.departmentName} · ${group.model}`));
  }
}

/** Usage that arrived after its period was billed: lines of their own, naming the period. */
function lateUsageLines(draft: Draft): void {
  const { usage, currency } = draft.inputs;
  for (const group of usage.filter((item) => item.adjustedPeriod !== null).sort(byLineOrder)) {
    draft.lines.push(
      usageLine(BillLineKind.LATE_USAGE_ADJUSTMENT, group, currency, `Late usage of ${group.adjustedPeriod} · ${group.departmentName} · ${group.model}`),
    );
  }
}

function discountPercentFor(terms: ContractTerms, tier: ModelTier): Decimal {
  const tierDiscount = terms.tierDiscounts.find((discount) => discount.tier === tier);
  return decimal(tierDiscount?.percent ?? terms.discountPercent);
}

/**
 * A discount line per model tier (and per earlier period, for late usage, on that period's terms):
 * minus the discount percent of the sum of the tier's rounded usage lines, rounded half-up.
 */
function discountLines(draft: Draft): void {
  const { currency, terms, termsOfAdjustedPeriods } = draft.inputs;
  const groups = new Map<string, { adjustedPeriod: Period | null; tier: ModelTier; sum: Decimal }>();
  for (const line of draft.lines) {
    const key = `${line.adjustedPeriod ?? ''}|${line.modelTier}`;
    const group = groups.get(key) ?? { adjustedPeriod: line.adjustedPeriod, tier: line.modelTier!, sum: new Decimal(0) };
    group.sum = group.sum.plus(line.amount);
    groups.set(key, group);
  }
  const ordered = [...groups.values()].sort(
    (left, right) => (left.adjustedPeriod ?? '').localeCompare(right.adjustedPeriod ?? '') || left.tier.localeCompare(right.tier),
  );
  for (const { adjustedPeriod, tier, sum } of ordered) {
    const percent = discountPercentFor(adjustedPeriod ? (termsOfAdjustedPeriods.get(adjustedPeriod) ?? terms) : terms, tier);
    if (percent.isZero() || sum.isZero()) continue;
    const exactAmount = sum.times(percent).div(100).negated();
    const amount = roundToMinorUnit(exactAmount, currency); // half away from zero, as for the positive sum
    draft.lines.push({
      kind: BillLineKind.DISCOUNT,
      description: `折扣 Discount ${percent.toFixed()}% · ${TIER_NAMES[tier]} ${tier} models${adjustedPeriod ? ` · ${adjustedPeriod} 补录用量 late usage of ${adjustedPeriod}` : ''}`,
      departmentId: null,
      model: null,
      modelTier: tier,
      priceId: null,
      adjustedPeriod,
      ...ZERO_QUANTITIES,
      exactAmount,
      amount,
      ...pendingTax(),
    });
  }
}

/** When the period's usage net of its discounts is below the contract's monthly minimum, a line makes up the difference. */
function commitmentTrueUp(draft: Draft): void {
  const { currency, terms, hasContract, period } = draft.inputs;
  const commitment = roundToMinorUnit(decimal(terms.monthlyCommitment), currency);
  if (!hasContract || commitment.isZero()) return;
  const netUsage = draft.lines
    .filter((line) => line.adjustedPeriod === null && (line.kind === BillLineKind.USAGE || line.kind === BillLineKind.DISCOUNT))
    .reduce((sum, line) => sum.plus(line.amount), new Decimal(0));
  if (netUsage.gte(commitment)) return;
  const amount = commitment.minus(netUsage);
  draft.lines.push({
    kind: BillLineKind.COMMITMENT_TRUE_UP,
    description: `月度承诺消费补足 Monthly commitment true-up for ${period}: 承诺 commitment ${commitment.toFixed(2)}, 折后用量 net usage ${netUsage.toFixed(2)}`,
    departmentId: null,
    model: null,
    modelTier: null,
    priceId: null,
    adjustedPeriod: null,
    ...ZERO_QUANTITIES,
    exactAmount: amount,
    amount,
    ...pendingTax(),
  });
}

/** VAT per line (DESIGN 3), on the billed period's terms. */
function tax(draft: Draft): void {
  const { terms, currency } = draft.inputs;
  for (const line of draft.lines) Object.assign(line, lineTax(line.amount, decimal(terms.taxRate), terms.taxMode, currency));
}

/** The bill's totals are the sums of its lines, never computed another way. */
function totals(draft: Draft): void {
  for (const line of draft.lines) {
    draft.totals.net = draft.totals.net.plus(line.net);
    draft.totals.tax = draft.totals.tax.plus(line.tax);
    draft.totals.gross = draft.totals.gross.plus(line.gross);
  }
}

/** The steps a bill is built in, in order. */
export const BILL_STEPS: readonly { name: string; apply: (draft: Draft) => void }[] = [
  { name: 'usageLines', apply: usageLines },
  { name: 'lateUsageLines', apply: lateUsageLines },
  { name: 'discountLines', apply: discountLines },
  { name: 'commitmentTrueUp', apply: commitmentTrueUp },
  { name: 'tax', apply: tax },
  { name: 'totals', apply: totals },
];

export function buildBill(inputs: BillInputs): BuiltBill {
  const draft: Draft = { inputs, lines: [], totals: { net: new Decimal(0), tax: new Decimal(0), gross: new Decimal(0) } };
  for (const step of BILL_STEPS) step.apply(draft);
  const exactUsage = inputs.usage.reduce((sum, group) => sum.plus(group.charged), new Decimal(0));
  return { lines: draft.lines, ...draft.totals, exactUsage };
}
