import type { FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { DIRECTORY_READERS, DIRECTORY_WRITERS } from '../../platform/auth/roles.js';
import { OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { API_KEY_PREFIXES, displayPrefix, generateSecret, hashSecret } from '../../platform/secrets.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { amount, futureDate, inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { Department } from '../department/department.entity.js';
import { SpendPeriod } from '../spend/spend-counter.entity.js';
import { ApiKey, ApiKeyEnvironment, StoredApiKeyStatus } from './api-key.entity.js';
import {
  ApiKeyStatus,
  type ApiKeyCreateInput,
  type ApiKeyFilterInput,
  type ApiKeyRevokeInput,
  type ApiKeyRotateInput,
  type ApiKeyUpdateInput,
} from './api-key.types.js';

const MAX_ALLOWED_MODELS = 100;

const allowedModels = z
  .array(z.string().trim().min(1, 'must not contain blank model names').max(100, 'must contain model names of at most 100 characters'))
  .max(MAX_ALLOWED_MODELS, `must list at most ${MAX_ALLOWED_MODELS} models`)
  .transform((models) => [...new Set(models)]);

const spendLimit = z.object({
  amount: amount({ allowZero: false }),
  period: z.enum(SpendPeriod),
});

function keySchemas(now: Date) {
  const create = z.object({
    name: requiredText(100),
    environment: z.enum(ApiKeyEnvironment),
    expiresAt: futureDate(now).nullish(),
    allowedModels: allowedModels.nullish(),
    spendLimit: spendLimit.nullish(),
  });
  return { create, update: create.omit({ environment: true }).partial() };
}

function auditView(key: ApiKey): Record<string, unknown> {
  return {
    name: key.name,
    departmentId: key.department.id,
    environment: key.environment,
    status: key.status,
    secretPrefix: key.secretPrefix,
    expiresAt: key.expiresAt?.toISOString() ?? null,
    allowedModels: key.allowedModels,
    spendLimitAmount: key.spendLimitAmount ?? null,
    spendLimitPeriod: key.spendLimitPeriod ?? null,
  };
}

export async function findApiKey(context: RequestContext, id: string): Promise<ApiKey | null> {
  requireRole(context.actor, DIRECTORY_READERS);
  return context.loaders.apiKeyById.load(id);
}

function statusCondition(statuses: ApiKeyStatus[], now: Date): FilterQuery<ApiKey> {
  const conditions: FilterQuery<ApiKey>[] = statuses.map((status) => {
    switch (status) {
      case ApiKeyStatus.REVOKED:
        return { status: StoredApiKeyStatus.REVOKED };
      case ApiKeyStatus.EXPIRED:
        return { status: StoredApiKeyStatus.ACTIVE, expiresAt: { $lte: now } };
      case ApiKeyStatus.ACTIVE:
        return { status: StoredApiKeyStatus.ACTIVE, $or: [{ expiresAt: null }, { expiresAt: { $gt: now } }] };
    }
  });
  return { $or: conditions };
}

export function listApiKeys(context: RequestContext, tenantId: string, filter: ApiKeyFilterInput | null | undefined, page: PageArgs) {
  requireRole(context.actor, DIRECTORY_READERS);
  const where: FilterQuery<ApiKey>[] = [{ tenant: tenantScope(context.actor, tenantId) }];
  if (filter?.departmentId) where.push({ department: filter.departmentId });
  if (filter?.environment) where.push({ environment: filter.environment });
  if (filter?.status?.length) where.push(statusCondition(filter.status, context.clock.now()));
  return paginate({
    em: context.em,
    entity: ApiKey,
    where: { $and: where },
    sortField: 'createdAt',
    direction: OrderDirection.DESC,
    page,
  });
}

async function apiKeyForChange(transaction: RequestContext, id: string): Promise<ApiKey> {
  const field = ['input', 'apiKeyId'];
  const key = await transaction.em.findOne(ApiKey, { id: inputId('ApiKey', id, field) });
  if (!key) {
    throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'apiKeyId names no API key you can see');
  }
  if (key.status === StoredApiKeyStatus.REVOKED) {
    throw UserInputErrors.single(UserErrorCode.INVALID_STATE, field, 'apiKeyId names a revoked key; revoked keys cannot change');
  }
  return key;
}

function issueSecret(key: ApiKey): string {
  const prefix = API_KEY_PREFIXES[key.environment];
  const secret = generateSecret(prefix);
  key.secretHash = hashSecret(secret);
  key.secretPrefix = displayPrefix(secret, prefix);
  return secret;
}

export interface IssuedApiKey {
  apiKey: ApiKey;
  secret: string;
}

export async function createApiKey(context: RequestContext, input: ApiKeyCreateInput): Promise<IssuedApiKey> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  const values = validateInput(keySchemas(context.clock.now()).create, input);
  return inTransaction(context, async (transaction) => {
    const field = ['input', 'departmentId'];
    const department = await transaction.em.findOne(Department, { id: inputId('Department', input.departmentId, field) });
    if (!department) {
      throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, 'departmentId names no department you can see');
    }
    if (department.archivedAt) {
      throw UserInputErrors.single(UserErrorCode.ARCHIVED, field, 'departmentId names an archived department');
    }
    const key = transaction.em.create(ApiKey, {
      tenant: department.tenant,
      department,
      name: values.name,
      environment: values.environment,
      expiresAt: values.expiresAt ?? null,
      allowedModels: values.allowedModels ?? [],
      spendLimitAmount: values.spendLimit?.amount ?? null,
      spendLimitPeriod: values.spendLimit?.period ?? null,
      secretHash: '',
      secretPrefix: '',
    });
    const secret = issueSecret(key);
    await recordAudit(transaction, { tenantId: department.tenant.id, action: 'apiKey.create', targetId: key.id, after: auditView(key) });
    return { apiKey: key, secret };
  });
}

export async function updateApiKey(context: RequestContext, input: ApiKeyUpdateInput): Promise<ApiKey> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  const { apiKeyId, ...changes } = input;
  const values = validateInput(keySchemas(context.clock.now()).update, changes);
  return inTransaction(context, async (transaction) => {
    const key = await apiKeyForChange(transaction, apiKeyId);
    const before = auditView(key);
    if (values.name) key.name = values.name;
    if (values.expiresAt !== undefined) key.expiresAt = values.expiresAt;
    if (values.allowedModels !== undefined) key.allowedModels = values.allowedModels ?? [];
    if (values.spendLimit !== undefined) {
      key.spendLimitAmount = values.spendLimit?.amount ?? null;
      key.spendLimitPeriod = values.spendLimit?.period ?? null;
    }
    await recordAudit(transaction, { tenantId: key.tenant.id, action: 'apiKey.update', targetId: key.id, before, after: auditView(key) });
    return key;
  });
}

export async function revokeApiKey(context: RequestContext, input: ApiKeyRevokeInput): Promise<ApiKey> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  return inTransaction(context, async (transaction) => {
    const key = await apiKeyForChange(transaction, input.apiKeyId);
    const before = auditView(key);
    key.status = StoredApiKeyStatus.REVOKED;
    key.revokedAt = transaction.clock.now();
    await recordAudit(transaction, { tenantId: key.tenant.id, action: 'apiKey.revoke', targetId: key.id, before, after: auditView(key) });
    return key;
  });
}

export async function rotateApiKey(context: RequestContext, input: ApiKeyRotateInput): Promise<IssuedApiKey> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  return inTransaction(context, async (transaction) => {
    const key = await apiKeyForChange(transaction, input.apiKeyId);
    const before = auditView(key);
    const secret = issueSecret(key);
    key.rotatedAt = transaction.clock.now();
    await recordAudit(transaction, { tenantId: key.tenant.id, action: 'apiKey.rotate', targetId: key.id, before, after: auditView(key) });
    return { apiKey: key, secret };
  });
}
