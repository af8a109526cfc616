import { LockMode, type EntityManager } from '@mikro-orm/postgresql';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole } from '../../platform/auth/actor.js';
import { MONEY_DOCUMENT_READERS, Role } from '../../platform/auth/roles.js';
import { taxPartySchema, type TaxParty } from '../../platform/tax/tax-party.js';
import { validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { OperatorProfile } from './operator-profile.entity.js';

/** A seller needs every field: special invoices print its address, phone, bank and account. */
const operatorProfileSchema = taxPartySchema({ requireTaxpayerId: true, requireDetails: true });

export function sellerOf(profile: OperatorProfile): TaxParty {
  const { legalName, taxpayerId, address, phone, bankName, bankAccount } = profile;
  return { legalName, taxpayerId, address, phone, bankName, bankAccount };
}

export function loadOperatorProfile(em: EntityManager, options: { lock?: boolean } = {}): Promise<OperatorProfile | null> {
  return em.findOne(OperatorProfile, { id: OperatorProfile.ID }, options.lock ? { lockMode: LockMode.PESSIMISTIC_WRITE } : {});
}

export function findOperatorProfile(context: RequestContext): Promise<OperatorProfile | null> {
  requireRole(context.actor, MONEY_DOCUMENT_READERS);
  return loadOperatorProfile(context.em);
}

/** Sets the seller printed on every invoice issued from now on; issued invoices keep their snapshot. */
export async function setOperatorProfile(context: RequestContext, input: Partial<Record<keyof TaxParty, string | null>>): Promise<OperatorProfile> {
  requireRole(context.actor, [Role.PLATFORM_ADMIN]);
  const seller = validateInput(operatorProfileSchema, input) as Record<keyof TaxParty, string>;
  return inTransaction(context, async (transaction) => {
    const { em } = transaction;
    const existing = await loadOperatorProfile(em, { lock: true });
    const before = existing ? { ...sellerOf(existing) } : null;
    const profile = existing ?? em.create(OperatorProfile, { id: OperatorProfile.ID, ...seller, updatedAt: transaction.clock.now() });
    Object.assign(profile, seller, { updatedAt: transaction.clock.now() });
    await recordAudit(transaction, { tenantId: null, action: 'operatorProfile.set', targetId: 'operator_profile', before, after: { ...seller } });
    return profile;
  });
}
