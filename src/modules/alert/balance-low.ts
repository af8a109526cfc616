import { decimal } from '../../platform/money.js';
import type { PrepaidDebit } from '../balance/balance-ledger.js';

/** A prepaid balance below its tenant's alert level, in the stretch that the tenant's latest credit opened. */
export interface BalanceLow {
  tenantId: string;
  balance: string;
  level: string;
  /** The latest credit; null when the tenant has had none. */
  sinceEntryId: string | null;
}

/** Below the level the tenant set; a tenant without a level is never low. */
export function isBalanceLow(debit: PrepaidDebit): debit is PrepaidDebit & { balanceLowLevel: string } {
  return debit.balanceLowLevel !== null && decimal(debit.balanceAfter).lt(debit.balanceLowLevel);
}
