import { StoredApiKeyStatus } from '../../src/modules/api-key/api-key.entity.js';
import { SpendPeriod, SpendScopeType } from '../../src/modules/spend/spend-counter.entity.js';
import type { SpendUpdatedEvent } from '../../src/modules/spend/spend-events.js';
import { TenantStatus } from '../../src/modules/tenant/tenant.entity.js';
import { AuthorizationFactsCache } from '../../src/modules/usage/authorization-facts-cache.js';
import type { AuthorizationFacts } from '../../src/modules/usage/usage.repository.js';
import { CurrencyCode } from '../../src/platform/money.js';

/**
 * The per-process cache of what usageAuthorize reads, without a database: reads are functions the
 * test answers when it likes, events are applied by hand. Cross-process behaviour (events over
 * PostgreSQL, within 100 ms) is in test/authorization-fast-path.test.ts.
 */

const NOW = new Date('2026-12-01T08:00:00Z');
const MONTH = '2026-12-01';

function factsOf(spent: string, requestCount: string, terms: Partial<AuthorizationFacts> = {}): AuthorizationFacts {
  return {
    apiKeyId: 'key_1',
    tenantId: 'ten_1',
    departmentId: 'dep_1',
    status: StoredApiKeyStatus.ACTIVE,
    expiresAt: null,
    allowedModels: [],
    spendLimitAmount: null,
    spendLimitPeriod: null,
    tenantStatus: TenantStatus.ACTIVE,
    billingCurrency: CurrencyCode.CNY,
    price: null,
    keyPeriodStart: null,
    keyPeriodSpent: '0',
    keyPeriodRequests: '0',
    hardBudgets: [{ scopeType: SpendScopeType.TENANT, scopeId: 'ten_1', period: SpendPeriod.MONTHLY, limit: '100', periodStart: MONTH, spent, requestCount }],
    rateLimits: [],
    isPrepaid: false,
    balance: null,
    creditLimit: null,
    creditUsed: null,
    validUntil: new Date('2026-12-02T00:00:00Z'),
    ...terms,
  };
}

function spendEvent(spent: string, requestCount: string): SpendUpdatedEvent {
  return {
    recordedAt: NOW.toISOString(),
    currencies: { ten_1: CurrencyCode.CNY },
    moves: [
      {
        tenantId: 'ten_1',
        scopeType: SpendScopeType.TENANT,
        scopeId: 'ten_1',
        period: SpendPeriod.MONTHLY,
        periodStart: MONTH,
        spent,
        requestCount,
        limit: '100',
      },
    ],
    rateWindows: [],
  };
}

/** A read the test answers later, counting how often the cache asked. */
function pendingReads() {
  const answers: ((facts: AuthorizationFacts) => void)[] = [];
  const read = () => new Promise<AuthorizationFacts | null>((resolve) => answers.push(resolve));
  return { read, answers };
}

const listening = { isListening: true, epoch: 1 };

describe('AuthorizationFactsCache', () => {
  it('answers callers asking for a key while its read is in flight from that one read', async () => {
    const cache = new AuthorizationFactsCache(listening);
    const { read, answers } = pendingReads();
    const asked = [cache.facts('hash', 'm', NOW, read), cache.facts('hash', 'm', NOW, read)];
    expect(answers).toHaveLength(1);
    answers[0](factsOf('1', '1'));
    const [first, second] = await Promise.all(asked);
    expect(second).toBe(first);
  });

  it('does not let a caller join a read started before a change, nor keep that read', async () => {
    const cache = new AuthorizationFactsCache(listening);
    const { read, answers } = pendingReads();
    const before = cache.facts('hash', 'm', NOW, read);
    cache.changingHere('ten_1');
    const after = cache.facts('hash', 'm', NOW, read);
    expect(answers).toHaveLength(2);
    answers[0](factsOf('1', '1'));
    answers[1](factsOf('2', '2'));
    expect((await before)!.hardBudgets[0].spent).toBe('1');
    expect((await after)!.hardBudgets[0].spent).toBe('2');
  });

  it('keeps a read that spend overtook, with that spend applied, and applies later spend to what it keeps', async () => {
    const cache = new AuthorizationFactsCache(listening);
    const { read, answers } = pendingReads();
    const asked = cache.facts('hash', 'm', NOW, read);
    cache.spendMoved(spendEvent('5', '5')); // committed after the read's snapshot
    answers[0](factsOf('3', '3'));
    expect((await asked)!.hardBudgets[0]).toMatchObject({ spent: '5', requestCount: '5' });
    const kept = await cache.facts('hash', 'm', NOW, read);
    expect(answers).toHaveLength(1);
    expect(kept!.hardBudgets[0].spent).toBe('5');
    cache.spendMoved(spendEvent('4', '4')); // older than what is kept: changes nothing
    cache.spendMoved(spendEvent('7', '7'));
    expect((await cache.facts('hash', 'm', NOW, read))!.hardBudgets[0].spent).toBe('7');
    expect(answers).toHaveLength(1);
  });

  it('does not keep a prepaid tenant read that spend overtook: its balance moved too', async () => {
    const cache = new AuthorizationFactsCache(listening);
    const { read, answers } = pendingReads();
    const asked = cache.facts('hash', 'm', NOW, read);
    cache.spendMoved(spendEvent('5', '5'));
    answers[0](factsOf('3', '3', { isPrepaid: true, balance: '10' }));
    await asked;
    const again = cache.facts('hash', 'm', NOW, read);
    expect(answers).toHaveLength(2);
    answers[1](factsOf('5', '5', { isPrepaid: true, balance: '5' }));
    expect((await again)!.balance).toBe('5');
  });
});
