import type { MigrationObject } from '@mikro-orm/core';
import { Migration20261124000252_Initial } from './Migration20261124000252_Initial.js';
import { Migration20261124002831_UsageAndPrices } from './Migration20261124002831_UsageAndPrices.js';
import { Migration20261124010746_BudgetsAndAlerts } from './Migration20261124010746_BudgetsAndAlerts.js';
import { Migration20261124011548_PrepaidBalance } from './Migration20261124011548_PrepaidBalance.js';
import { Migration20261124013909_SpendHolds } from './Migration20261124013909_SpendHolds.js';
import { Migration20261124014132_SpendHourly } from './Migration20261124014132_SpendHourly.js';
import { Migration20261124022756_Billing } from './Migration20261124022756_Billing.js';
import { Migration20261124035412_Invoices } from './Migration20261124035412_Invoices.js';
import { Migration20261130230000_CreditUsed } from './Migration20261130230000_CreditUsed.js';
import { Migration20261130232931_DefaultEstimate } from './Migration20261130232931_DefaultEstimate.js';
import { Migration20261201000000_TermsInForce } from './Migration20261201000000_TermsInForce.js';
import { Migration20261201015605_RateLimits } from './Migration20261201015605_RateLimits.js';
import { Migration20261201040541_SpendHoldsByTenant } from './Migration20261201040541_SpendHoldsByTenant.js';
import { Migration20261201075125_SettledEmptyPeriods } from './Migration20261201075125_SettledEmptyPeriods.js';
import { Migration20261201080641_PaymentsFeedAndErpCodes } from './Migration20261201080641_PaymentsFeedAndErpCodes.js';
import { Migration20261201081818_ExportLinkKey } from './Migration20261201081818_ExportLinkKey.js';
import { Migration20261201101844_Webhooks } from './Migration20261201101844_Webhooks.js';
import { Migration20261201175318_UsageRollups } from './Migration20261201175318_UsageRollups.js';
import { Migration20261201180043_UsagePartitions } from './Migration20261201180043_UsagePartitions.js';
import { Migration20261201203408_ReadPositions } from './Migration20261201203408_ReadPositions.js';
import { Migration20261201204034_TenantKeys } from './Migration20261201204034_TenantKeys.js';

/** Every migration, in order. `npm run migration:create` writes a new file; add it here. */
export const MIGRATIONS: MigrationObject[] = [
  { name: 'Migration20261124000252_Initial', class: Migration20261124000252_Initial },
  { name: 'Migration20261124002831_UsageAndPrices', class: Migration20261124002831_UsageAndPrices },
  { name: 'Migration20261124010746_BudgetsAndAlerts', class: Migration20261124010746_BudgetsAndAlerts },
  { name: 'Migration20261124011548_PrepaidBalance', class: Migration20261124011548_PrepaidBalance },
  { name: 'Migration20261124013909_SpendHolds', class: Migration20261124013909_SpendHolds },
  { name: 'Migration20261124014132_SpendHourly', class: Migration20261124014132_SpendHourly },
  { name: 'Migration20261124022756_Billing', class: Migration20261124022756_Billing },
  { name: 'Migration20261124035412_Invoices', class: Migration20261124035412_Invoices },
  { name: 'Migration20261130230000_CreditUsed', class: Migration20261130230000_CreditUsed },
  { name: 'Migration20261130232931_DefaultEstimate', class: Migration20261130232931_DefaultEstimate },
  { name: 'Migration20261201000000_TermsInForce', class: Migration20261201000000_TermsInForce },
  { name: 'Migration20261201015605_RateLimits', class: Migration20261201015605_RateLimits },
  { name: 'Migration20261201040541_SpendHoldsByTenant', class: Migration20261201040541_SpendHoldsByTenant },
  { name: 'Migration20261201075125_SettledEmptyPeriods', class: Migration20261201075125_SettledEmptyPeriods },
  { name: 'Migration20261201080641_PaymentsFeedAndErpCodes', class: Migration20261201080641_PaymentsFeedAndErpCodes },
  { name: 'Migration20261201081818_ExportLinkKey', class: Migration20261201081818_ExportLinkKey },
  { name: 'Migration20261201101844_Webhooks', class: Migration20261201101844_Webhooks },
  { name: 'Migration20261201175318_UsageRollups', class: Migration20261201175318_UsageRollups },
  { name: 'Migration20261201180043_UsagePartitions', class: Migration20261201180043_UsagePartitions },
  { name: 'Migration20261201203408_ReadPositions', class: Migration20261201203408_ReadPositions },
  { name: 'Migration20261201204034_TenantKeys', class: Migration20261201204034_TenantKeys },
];
