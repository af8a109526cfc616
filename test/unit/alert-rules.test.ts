import { balanceLowAlertKey, forecastAlertKey, spikeAlertKey, thresholdAlertKey } from '../../src/modules/alert/alert-keys.js';
import { isBalanceLow } from '../../src/modules/alert/balance-low.js';
import { isSpendSpike, spendSpikes } from '../../src/modules/alert/spend-spike.js';
import { SpendScopeType } from '../../src/modules/spend/spend-counter.entity.js';
import { decimal } from '../../src/platform/money.js';

const rule = { multiple: '5', floor: '10' };

describe('spend spikes', () => {
  it('needs the hour past the floor and past the multiple of the hourly average of the week before', () => {
    // A week of 168 spends 1 an hour on average: 5 x 1 = 5, so the floor decides.
    expect(isSpendSpike(decimal('9.99'), decimal('168'), rule)).toBe(false);
    expect(isSpendSpike(decimal('10'), decimal('168'), rule)).toBe(true);
    // 4 an hour on average: 20 is exactly 5 x the average, not above it.
    expect(isSpendSpike(decimal('20'), decimal('672'), rule)).toBe(false);
    expect(isSpendSpike(decimal('20.0000000000000001'), decimal('672'), rule)).toBe(true);
  });

  it('counts a scope with no history as spiking once past the floor', () => {
    expect(isSpendSpike(decimal('10'), decimal('0'), rule)).toBe(true);
  });

  it('reports the spikes with the hourly average they were measured against', () => {
    const hour = { tenantId: 'ten_1', scopeType: SpendScopeType.TENANT, scopeId: 'ten_1', hourStart: '2026-11-10T10:00Z' };
    expect(
      spendSpikes(
        [
          { ...hour, spent: '12', previousWeekSpent: '1' },
          { ...hour, scopeId: 'key_quiet', spent: '12', previousWeekSpent: '1680' },
        ],
        rule,
      ),
    ).toEqual([{ ...hour, spent: '12', hourlyAverage: '0.0059523809523810' }]);
  });
});

describe('low balances', () => {
  it('is low strictly below the level, and never without one', () => {
    expect(isBalanceLow({ tenantId: 'ten_1', balanceAfter: '49.9999', balanceLowLevel: '50' })).toBe(true);
    expect(isBalanceLow({ tenantId: 'ten_1', balanceAfter: '50', balanceLowLevel: '50' })).toBe(false);
    expect(isBalanceLow({ tenantId: 'ten_1', balanceAfter: '-5', balanceLowLevel: null })).toBe(false);
  });
});

describe('alert dedupe keys', () => {
  // Keys already stored have these forms: a change would raise every past occasion again.
  it('keeps the stored form of every kind of key', () => {
    expect(thresholdAlertKey({ budgetId: 'bud_1', threshold: 80, periodStart: '2026-11-01' })).toBe('budget:bud_1:80:2026-11-01');
    expect(forecastAlertKey({ budgetId: 'bud_1', periodStart: '2026-11-01' })).toBe('forecast:bud_1:2026-11-01');
    expect(spikeAlertKey({ scopeId: 'dep_1', hourStart: '2026-11-10T10:00Z' })).toBe('spike:dep_1:2026-11-10T10');
    expect(balanceLowAlertKey({ tenantId: 'ten_1', sinceEntryId: 'ble_9' })).toBe('balance-low:ten_1:ble_9');
    expect(balanceLowAlertKey({ tenantId: 'ten_1', sinceEntryId: null })).toBe('balance-low:ten_1:opening');
  });
});
