import type { EventFeed, LocalPubSub } from '../../platform/events/pubsub.js';
import { AUDIT_ENTRY_RECORDED, type AuditEvent } from '../audit/audit-events.js';
import { raiseRateWindow } from '../rate-limit/rate-limit-check.js';
import type { AuthorizationFacts } from './usage.repository.js';
import { SPEND_UPDATED, type RateWindowMove, type SpendMove, type SpendUpdatedEvent } from '../spend/spend-events.js';

/** The key of a change that concerns every tenant (a price), among tenant ids. */
const ALL_TENANTS = '*';

interface Entry {
  facts: AuthorizationFacts;
  /** When this entry must be read again whatever the events said (monotonic ms): bounds a lost notification. */
  freshUntil: number;
}

/** A batch's spend of one tenant, as applied: kept a while for the reads it overtakes. */
interface SpendApplied {
  sequence: number;
  /** Monotonic ms. */
  at: number;
  moves: SpendMove[];
  windows: RateWindowMove[];
}

/** A read of a key's facts in flight, which callers asking for the same key meanwhile wait for. */
interface Reading {
  facts: Promise<AuthorizationFacts | null>;
  readFrom: number;
}

/**
 * The gateway's fast read path (DESIGN 4.1): what `usageAuthorize` needs of a key and a model,
 * kept per process and current by the events every process already receives, so that the check
 * is answered without a round trip to the database.
 *
 * - Every change to what the check reads (a key revoked or changed, a tenant suspended, a contract,
 *   budget, balance top-up, payment, department move) writes an audit entry in its transaction, and
 *   AUDIT_ENTRY_RECORDED drops the tenant's entries (a price change, which has no tenant, drops all).
 * - Ingestion's SPEND_UPDATED carries each moved counter's total after the batch: spend figures are
 *   raised, in a new facts object, so what a check worked out from the old one (its limits) is not
 *   reused (every commit adds requests to a counter, so a figure with fewer requests than the one
 *   held is older and never replaces it). Balances and credit used move with spend but are not in the event, so
 *   a tenant that has either is read again. The event also carries each rate-limit window the batch
 *   moved, raised in place the same way by the window's revision (every write to a window adds one:
 *   a true-up may lower tokens without adding requests). Reservations publish nothing, so what
 *   other instances reserved since the facts were read is not here: usageAuthorize is approximate
 *   by what is in flight, usageReserve exact.
 * - Windows are kept with their minute, so facts read a minute ago count the right ones now.
 * - Facts change with no event at the tenant's next local day and the model's next price version
 *   (`validUntil`, read with them), and are re-read after MAX_AGE_MS in any case.
 * - While the event connection is down nothing is cached (every check reads the database); after it
 *   reconnects, everything cached before is dropped, since events may have been missed meanwhile.
 * - A read that a change of its tenant overtook (the change committed after the read's snapshot, or
 *   before it and was delivered after) answers its caller but is not kept. Spend that overtook it
 *   is applied to it instead (figures only rise, so spend the snapshot already held changes
 *   nothing), except for a tenant with a balance or credit limit: under load every read would
 *   otherwise be overtaken, and nothing kept.
 * - Callers asking for a key whose read is in flight wait for that read, unless a change was
 *   announced since it started.
 * - The process that makes a change applies it at once (`changingHere`, `spendMoved` after the
 *   batch commits), so a gateway that records or changes something through it sees that in its next check.
 */
export class AuthorizationFactsCache {
  static readonly MAX_AGE_MS = 60_000;
  private static readonly CHANGE_SETTLES_MS = 2_000;
  /** How long a tenant's applied spend is kept for reads it overtakes; a read that took longer is not kept. */
  private static readonly SPEND_KEPT_MS = 10_000;
  private static readonly MAX_ENTRIES = 100_000;
  /** By secret hash and model. */
  private readonly entries = new Map<string, Entry>();
  /** Entry keys by tenant, to drop or patch a tenant's entries. */
  private readonly byTenant = new Map<string, Set<string>>();
  /** Counts events applied; a tenant's last one, and the last that concerned every tenant. */
  private sequence = 0;
  private readonly lastChange = new Map<string, number>();
  private lastChangeOfAll = 0;
  /** The last change of any tenant (not spend): reads started before it are not joined. */
  private lastChangeOfAny = 0;
  /** By tenant, the spend applied in the last SPEND_KEPT_MS, oldest first. */
  private readonly recentSpend = new Map<string, SpendApplied[]>();
  /** By entry key. */
  private readonly reading = new Map<string, Reading>();
  private epoch = 0;
  /** Tenants (or ALL_TENANTS) this process is changing, until when (monotonic ms). */
  private readonly localChanges = new Map<string, number>();

  constructor(private readonly feed: EventFeed) {}

  /** Applies events as they arrive, until the returned function is called. */
  listen(pubSub: LocalPubSub): () => Promise<void> {
    const audits = pubSub.subscribe(AUDIT_ENTRY_RECORDED);
    const spend = pubSub.subscribe(SPEND_UPDATED);
    void (async () => {
      for await (const event of audits) this.changed((event as AuditEvent).tenantId);
    })();
    void (async () => {
      for await (const event of spend) this.spendMoved(event as SpendUpdatedEvent);
    })();
    return async () => {
      await Promise.all([audits.return?.(), spend.return?.()]);
    };
  }

  /** The facts of a key (by secret hash) for a model: from this process when it has them current, else from `read`. */
  async facts(secretHash: string, model: string, now: Date, read: () => Promise<AuthorizationFacts | null>): Promise<AuthorizationFacts | null> {
    if (!this.feed.isListening) {
      this.clear();
      return read();
    }
    if (this.epoch !== this.feed.epoch) {
      this.clear();
      this.epoch = this.feed.epoch;
    }
    const key = `${secretHash}\u0000${model}`;
    const cached = this.entries.get(key);
    if (cached && cached.freshUntil > performance.now() && cached.facts.validUntil.getTime() > now.getTime()) return cached.facts;
    if (cached) this.drop(key, cached.facts.tenantId);
    const inFlight = this.reading.get(key);
    if (inFlight && inFlight.readFrom >= this.lastChangeOfAny) return inFlight.facts;
    const reading: Reading = { facts: this.readAndKeep(key, read), readFrom: this.sequence };
    this.reading.set(key, reading);
    void reading.facts.finally(() => {
      if (this.reading.get(key) === reading) this.reading.delete(key);
    });
    return reading.facts;
  }

  private async readAndKeep(key: string, read: () => Promise<AuthorizationFacts | null>): Promise<AuthorizationFacts | null> {
    const readFrom = this.sequence;
    const epoch = this.epoch;
    const startedAt = performance.now();
    const facts = await read();
    if (!facts || !this.feed.isListening || this.feed.epoch !== epoch || this.changedSince(facts.tenantId, readFrom)) return facts;
    const overtaking = (this.recentSpend.get(facts.tenantId) ?? []).filter((applied) => applied.sequence > readFrom);
    if (overtaking.length === 0) {
      this.keep(key, facts);
      return facts;
    }
    if (hasFiguresOutsideEvents(facts) || performance.now() - startedAt > AuthorizationFactsCache.SPEND_KEPT_MS) return facts;
    const current = overtaking.reduce(withSpend, facts);
    this.keep(key, current);
    return current;
  }

  private changedSince(tenantId: string, sequence: number): boolean {
    return this.lastChangeOfAll > sequence || (this.lastChange.get(tenantId) ?? 0) > sequence || this.isChangingHere(tenantId);
  }

  private isChangingHere(tenantId: string): boolean {
    const until = Math.max(this.localChanges.get(tenantId) ?? 0, this.localChanges.get(ALL_TENANTS) ?? 0);
    return until > performance.now();
  }

  /**
   * A change this process is making, inside its transaction (see audit.service): what is kept of
   * the tenant is dropped now, and nothing read of it is kept until its event has surely arrived
   * (CHANGE_SETTLES_MS), so the caller's next check, here, sees the change once it has committed.
   */
  changingHere(tenantId: string | null): void {
    this.localChanges.set(tenantId ?? ALL_TENANTS, performance.now() + AuthorizationFactsCache.CHANGE_SETTLES_MS);
    this.changed(tenantId);
  }

  private keep(key: string, facts: AuthorizationFacts): void {
    if (this.entries.size >= AuthorizationFactsCache.MAX_ENTRIES) {
      const [oldestKey, oldest] = this.entries.entries().next().value!;
      this.drop(oldestKey, oldest.facts.tenantId);
    }
    this.entries.set(key, { facts, freshUntil: performance.now() + AuthorizationFactsCache.MAX_AGE_MS });
    let keys = this.byTenant.get(facts.tenantId);
    if (!keys) this.byTenant.set(facts.tenantId, (keys = new Set()));
    keys.add(key);
  }

  private drop(key: string, tenantId: string): void {
    this.entries.delete(key);
    const keys = this.byTenant.get(tenantId);
    keys?.delete(key);
    if (keys?.size === 0) this.byTenant.delete(tenantId);
  }

  private clear(): void {
    this.entries.clear();
    this.byTenant.clear();
  }

  /** Something the check reads changed for a tenant (null: for every tenant). */
  private changed(tenantId: string | null): void {
    this.sequence += 1;
    this.lastChangeOfAny = this.sequence;
    if (tenantId === null) {
      this.lastChangeOfAll = this.sequence;
      this.clear();
      return;
    }
    this.lastChange.set(tenantId, this.sequence);
    for (const key of this.byTenant.get(tenantId) ?? []) this.entries.delete(key);
    this.byTenant.delete(tenantId);
  }

  /** Applies a batch's spend: as its event arrives, and at once by the process that recorded it, after its commit. */
  spendMoved(event: SpendUpdatedEvent): void {
    const movesByTenant = Map.groupBy(event.moves, (move) => move.tenantId);
    // An instance of the release before rate limits publishes no windows.
    const windowsByTenant = Map.groupBy(event.rateWindows ?? [], (window) => window.tenantId);
    const now = performance.now();
    for (const tenantId of new Set([...movesByTenant.keys(), ...windowsByTenant.keys()])) {
      const keys = [...(this.byTenant.get(tenantId) ?? [])];
      if (keys.some((key) => hasFiguresOutsideEvents(this.entries.get(key)!.facts))) {
        this.changed(tenantId);
        continue;
      }
      this.sequence += 1;
      const applied = { sequence: this.sequence, at: now, moves: movesByTenant.get(tenantId) ?? [], windows: windowsByTenant.get(tenantId) ?? [] };
      const recent = (this.recentSpend.get(tenantId) ?? []).filter((kept) => kept.at > now - AuthorizationFactsCache.SPEND_KEPT_MS);
      this.recentSpend.set(tenantId, [...recent, applied]);
      for (const key of keys) {
        const entry = this.entries.get(key)!;
        entry.facts = withSpend(entry.facts, applied);
      }
    }
  }
}

/** A balance or the credit used moves with spend, but SPEND_UPDATED does not carry it: such facts are read again. */
function hasFiguresOutsideEvents(facts: AuthorizationFacts): boolean {
  return facts.isPrepaid || facts.creditLimit !== null;
}

/** The facts with a batch's spend and rate windows applied: a new object when a spend figure moved (see raiseSpend). */
function withSpend(facts: AuthorizationFacts, applied: SpendApplied): AuthorizationFacts {
  const raised = applied.moves.reduce(raiseSpend, facts);
  for (const window of applied.windows) raiseRateWindow(raised.rateLimits, window);
  return raised;
}

/**
 * The facts with the figures of the counter a move is about, if they hold it, raised to the move's
 * totals: a new object when a figure moved, so what was worked out from the old one stays its own.
 * Every commit adds requests to the counters it moves, so the higher request count is the later figure.
 */
function raiseSpend(facts: AuthorizationFacts, move: SpendMove): AuthorizationFacts {
  const isLater = (requestCount: string) => Number(move.requestCount) > Number(requestCount);
  let raised = facts;
  if (
    move.scopeId === facts.apiKeyId &&
    move.period === facts.spendLimitPeriod &&
    move.periodStart === facts.keyPeriodStart &&
    isLater(facts.keyPeriodRequests)
  ) {
    raised = { ...raised, keyPeriodSpent: move.spent, keyPeriodRequests: move.requestCount };
  }
  const position = facts.hardBudgets.findIndex(
    (budget) => budget.scopeId === move.scopeId && budget.period === move.period && budget.periodStart === move.periodStart && isLater(budget.requestCount),
  );
  if (position >= 0) {
    raised = {
      ...raised,
      hardBudgets: raised.hardBudgets.with(position, { ...raised.hardBudgets[position], spent: move.spent, requestCount: move.requestCount }),
    };
  }
  return raised;
}
