import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Money } from '../../platform/graphql/money.types.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar } from '../../platform/graphql/scalars.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { SpendPeriod } from '../spend/spend.types.js';
import { ApiKeyEnvironment, StoredApiKeyStatus, type ApiKey } from './api-key.entity.js';

export enum ApiKeyStatus {
  ACTIVE = 'ACTIVE',
  REVOKED = 'REVOKED',
  EXPIRED = 'EXPIRED',
}

registerEnumType(ApiKeyStatus, {
  name: 'ApiKeyStatus',
  description: 'Whether the gateway accepts the key.',
  valuesConfig: {
    ACTIVE: { description: 'Accepted.' },
    REVOKED: { description: 'Revoked: refused forever.' },
    EXPIRED: { description: 'Past its expiry: refused until the expiry is extended.' },
  },
});
registerEnumType(ApiKeyEnvironment, {
  name: 'ApiKeyEnvironment',
  description: 'Which environment a key is for; the secret prefix tells them apart (sk-test- / sk-live-).',
  valuesConfig: {
    TEST: { description: "A test key, its secret starting sk-test-. Its usage is recorded, priced and billed like a production key's." },
    PRODUCTION: { description: 'A production key, its secret starting sk-live-.' },
  },
});

@ObjectType('SpendLimit', { description: "A key's own spending cap per period." })
export class SpendLimitNode {
  @Field(() => Money, { description: 'The most the key may spend in one period.' })
  amount!: Money;

  @Field(() => SpendPeriod, { description: 'The period the cap applies to.' })
  period!: SpendPeriod;
}

@ObjectType('ApiKey', {
  implements: Node,
  description: 'A credential for the AI gateway, owned by a department. The secret is shown once, at creation or rotation.',
})
export class ApiKeyNode extends Node {
  tenantId!: string;
  departmentId!: string;

  @Field({ description: 'Name for people, e.g. the app that uses it.' })
  name!: string;

  @Field(() => ApiKeyEnvironment, { description: 'TEST or PRODUCTION.' })
  environment!: ApiKeyEnvironment;

  @Field(() => ApiKeyStatus, { description: 'ACTIVE, REVOKED, or EXPIRED (derived from expiresAt).' })
  status!: ApiKeyStatus;

  @Field({ description: 'The first characters of the secret, to recognise it: e.g. "sk-live-a1B2c3".' })
  secretPrefix!: string;

  @Field(() => Date, { nullable: true, description: 'When the key stops working; null for never.' })
  expiresAt!: Date | null;

  @Field(() => [String], { description: 'Models the key may call; empty means all.' })
  allowedModels!: string[];

  spendLimitAmount!: string | null;
  spendLimitPeriod!: SpendPeriod | null;

  @Field(() => Date, { nullable: true, description: 'When the key was revoked.' })
  revokedAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the secret was last rotated.' })
  rotatedAt!: Date | null;

  @Field({ description: 'When the key was created.' })
  createdAt!: Date;

  @Field({ description: 'When the key last changed.' })
  updatedAt!: Date;
}

export function apiKeyStatus(key: ApiKey, now: Date): ApiKeyStatus {
  if (key.status === StoredApiKeyStatus.REVOKED) return ApiKeyStatus.REVOKED;
  if (key.expiresAt && key.expiresAt.getTime() <= now.getTime()) return ApiKeyStatus.EXPIRED;
  return ApiKeyStatus.ACTIVE;
}

export function toApiKeyNode(key: ApiKey, now: Date): ApiKeyNode {
  return Object.assign(new ApiKeyNode(), {
    id: key.id,
    tenantId: key.tenant.id,
    departmentId: key.department.id,
    name: key.name,
    environment: key.environment,
    status: apiKeyStatus(key, now),
    secretPrefix: key.secretPrefix,
    expiresAt: key.expiresAt ?? null,
    allowedModels: key.allowedModels,
    spendLimitAmount: key.spendLimitAmount ?? null,
    spendLimitPeriod: key.spendLimitPeriod ?? null,
    revokedAt: key.revokedAt ?? null,
    rotatedAt: key.rotatedAt ?? null,
    createdAt: key.createdAt,
    updatedAt: key.updatedAt,
  });
}

export const ApiKeyConnection = connectionType(ApiKeyNode, 'ApiKey');

@ObjectType('ApiKeyPayload', { description: 'Result of a mutation on an API key.' })
export class ApiKeyPayload {
  @Field(() => ApiKeyNode, { nullable: true, description: 'The key; null when userErrors is not empty.' })
  apiKey!: ApiKeyNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('ApiKeySecretPayload', { description: 'Result of creating or rotating a key: the only time its secret is shown.' })
export class ApiKeySecretPayload extends ApiKeyPayload {
  @Field(() => String, {
    nullable: true,
    description: 'The secret, shown exactly once. Store it now: only its SHA-256 hash is kept.',
  })
  secret!: string | null;
}

@InputType('SpendLimitInput', { description: "A key's own spending cap." })
export class SpendLimitInput {
  @Field(() => DecimalScalar, { description: "Cap per period in the tenant's billing currency, greater than 0." })
  amount!: string;

  @Field(() => SpendPeriod, { defaultValue: SpendPeriod.MONTHLY, description: 'Period of the cap; default MONTHLY.' })
  period!: SpendPeriod;
}

@InputType('ApiKeyCreateInput', { description: 'A new gateway key.' })
export class ApiKeyCreateInput {
  @Field(() => ID, { description: 'The department that owns the key; its tenant owns it too.' })
  departmentId!: string;

  @Field({ description: 'Name, 1 to 100 characters.' })
  name!: string;

  @Field(() => ApiKeyEnvironment, { description: 'TEST or PRODUCTION.' })
  environment!: ApiKeyEnvironment;

  @Field(() => Date, { nullable: true, description: 'Expiry, in the future; omit for none.' })
  expiresAt?: Date | null;

  @Field(() => [String], { nullable: true, description: 'Models the key may call (at most 100); omit or empty for all.' })
  allowedModels?: string[] | null;

  @Field(() => SpendLimitInput, { nullable: true, description: "The key's own cap; omit for none." })
  spendLimit?: SpendLimitInput | null;
}

@InputType('ApiKeyUpdateInput', { description: 'Changes to a key. Omitted fields are unchanged; null clears.' })
export class ApiKeyUpdateInput {
  @Field(() => ID, { description: 'The key.' })
  apiKeyId!: string;

  @Field(() => String, { nullable: true, description: 'Name, 1 to 100 characters.' })
  name?: string | null;

  @Field(() => Date, { nullable: true, description: 'Expiry, in the future; null for none.' })
  expiresAt?: Date | null;

  @Field(() => [String], { nullable: true, description: 'Models the key may call; empty or null for all.' })
  allowedModels?: string[] | null;

  @Field(() => SpendLimitInput, { nullable: true, description: "The key's own cap; null for none." })
  spendLimit?: SpendLimitInput | null;
}

@InputType('ApiKeyRevokeInput', { description: 'Revoke a key: the gateway refuses it at once, for good.' })
export class ApiKeyRevokeInput {
  @Field(() => ID, { description: 'The key.' })
  apiKeyId!: string;
}

@InputType('ApiKeyRotateInput', { description: 'Give a key a new secret; the old secret stops working at once.' })
export class ApiKeyRotateInput {
  @Field(() => ID, { description: 'The key.' })
  apiKeyId!: string;
}

@InputType('ApiKeyFilter', { description: 'Narrows a key list.' })
export class ApiKeyFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only keys of this department.' })
  departmentId?: string | null;

  @Field(() => [ApiKeyStatus], { nullable: true, description: 'Only keys in one of these statuses.' })
  status?: ApiKeyStatus[] | null;

  @Field(() => ApiKeyEnvironment, { nullable: true, description: 'Only keys of this environment.' })
  environment?: ApiKeyEnvironment | null;
}
