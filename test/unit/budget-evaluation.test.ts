import { budgetLookup, budgetOccasions, monthEndProjection, reachedThresholds } from '../../src/modules/budget/budget-evaluation.js';
import type { LiveBudget } from '../../src/modules/budget/budget.repository.js';
import { SpendPeriod, SpendScopeType } from '../../src/modules/spend/spend-counter.entity.js';
import type { CounterMove } from '../../src/modules/spend/spend.repository.js';
import { decimal } from '../../src/platform/money.js';

function budget(overrides: Partial<LiveBudget> = {}): LiveBudget {
  return {
    id: 'bud_1',
    tenantId: 'ten_1',
    scopeType: SpendScopeType.API_KEY,
    scopeId: 'key_1',
    period: SpendPeriod.MONTHLY,
    stage: null,
    limitAmount: '100',
    thresholds: [50, 80, 100],
    localNow: '2026-11-04T12:00:00.000',
    ...overrides,
  };
}

function counter(spent: string, overrides: Partial<CounterMove> = {}): CounterMove {
  return {
    tenantId: 'ten_1',
    scopeType: SpendScopeType.API_KEY,
    scopeId: 'key_1',
    period: SpendPeriod.MONTHLY,
    periodStart: '2026-11-01',
    spent,
    requestCount: '1',
    ...overrides,
  };
}

describe('budget thresholds', () => {
  it('counts a threshold reached exactly at its share of the limit, and not a ten-billionth below it', () => {
    expect(reachedThresholds(decimal('50'), decimal('100'), [50, 80, 100])).toEqual([50]);
    expect(reachedThresholds(decimal('49.9999999999'), decimal('100'), [50, 80, 100])).toEqual([]);
    expect(reachedThresholds(decimal('0.0312500000000000'), decimal('0.0312500000'), [50, 80, 100])).toEqual([50, 80, 100]);
  });

  it('reports every threshold reached, not only the newly crossed one: the dedupe key raises each once', () => {
    expect(reachedThresholds(decimal('250'), decimal('100'), [10, 50, 100])).toEqual([10, 50, 100]);
  });
});

describe('monthly forecast', () => {
  // November has 30 days; 3.5 days in, 3 units project to 3 x 30 / 3.5 = 25.71...
  it('projects this month linearly to its end when that passes the limit', () => {
    const projected = monthEndProjection(decimal('3'), decimal('20'), '2026-11-01', '2026-11-04T12:00:00.000');
    expect(projected?.toFixed()).toBe('25.7142857142857143');
  });

  it('says nothing when the projection stays at or under the limit', () => {
    expect(monthEndProjection(decimal('3'), decimal('30'), '2026-11-01', '2026-11-04T12:00:00.000')).toBeNull();
    // 7 in 3.5 days projects to exactly 60: at the limit is not past it.
    expect(monthEndProjection(decimal('7'), decimal('60'), '2026-11-01', '2026-11-04T12:00:00.000')).toBeNull();
  });

  it('leaves an exhausted budget to its 100 % threshold', () => {
    expect(monthEndProjection(decimal('20'), decimal('20'), '2026-11-01', '2026-11-04T12:00:00.000')).toBeNull();
  });

  it('counts at least one day elapsed, so the first hours of a month do not project wildly', () => {
    // One hour in, 1 unit would project to 720; over a whole day it is 30.
    expect(monthEndProjection(decimal('1'), decimal('31'), '2026-11-01', '2026-11-01T01:00:00.000')).toBeNull();
    expect(monthEndProjection(decimal('1'), decimal('29'), '2026-11-01', '2026-11-01T01:00:00.000')?.toFixed()).toBe('30');
  });

  it('uses the length of the month: February 2027 has 28 days', () => {
    expect(monthEndProjection(decimal('1'), decimal('27'), '2027-02-01', '2027-02-02T00:00:00.000')?.toFixed()).toBe('28');
  });

  it('forecasts only the current month: late usage of an earlier one is not forecast', () => {
    expect(monthEndProjection(decimal('19'), decimal('20'), '2026-10-01', '2026-11-04T12:00:00.000')).toBeNull();
  });
});

describe('budget occasions of a batch', () => {
  it('measures each moved counter against the live budget of its scope and period only', () => {
    const budgets = [budget(), budget({ id: 'bud_daily', period: SpendPeriod.DAILY, limitAmount: '1000', thresholds: [100] })];
    const { crossings, forecasts } = budgetOccasions(
      [counter('85'), counter('85', { period: SpendPeriod.DAILY, periodStart: '2026-11-04' }), counter('500', { scopeId: 'key_without_budget' })],
      budgets,
    );
    expect(crossings.map((crossing) => [crossing.budgetId, crossing.threshold, crossing.spent, crossing.periodStart])).toEqual([
      ['bud_1', 50, '85', '2026-11-01'],
      ['bud_1', 80, '85', '2026-11-01'],
    ]);
    expect(forecasts).toEqual([
      {
        budgetId: 'bud_1',
        tenantId: 'ten_1',
        scopeType: SpendScopeType.API_KEY,
        scopeId: 'key_1',
        period: SpendPeriod.MONTHLY,
        periodStart: '2026-11-01',
        limitAmount: '100',
        stage: null,
        projected: '728.5714285714285714',
      },
    ]);
  });

  it('finds a budget by scope and period', () => {
    const find = budgetLookup([budget()]);
    expect(find('key_1', SpendPeriod.MONTHLY)?.id).toBe('bud_1');
    expect(find('key_1', SpendPeriod.DAILY)).toBeUndefined();
  });
});
