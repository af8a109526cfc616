import { AccessToken } from './access-token/access-token.entity.js';
import { ApiKey } from './api-key/api-key.entity.js';
import { AuditEntry } from './audit/audit-entry.entity.js';
import { Department } from './department/department.entity.js';
import { BuyerTaxProfile, Tenant } from './tenant/tenant.entity.js';

export const ENTITIES = [Tenant, BuyerTaxProfile, Department, ApiKey, AccessToken, AuditEntry];
