import { GraphQLError, GraphQLScalarType, Kind } from 'graphql';
import { Extensions, Field, ID, InputType, Int, ObjectType, registerEnumType } from 'type-graphql';
import { CHECKED_PER_ITEM } from '../../platform/graphql/input-rules.js';
import { Money } from '../../platform/graphql/money.types.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { DecimalScalar, LocalDateScalar, SafeIntScalar } from '../../platform/graphql/scalars.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import { SpendNode, SpendScopeNode } from '../spend/spend.types.js';
import { ChargeReason, UsageKind, UsageStatus, type UsageRecord } from './usage-record.entity.js';
import { GatewayCheck, type UsageDenialEntry } from './usage-denial.entity.js';
import { ApiKeyEnvironment } from '../api-key/api-key.entity.js';
import { ModelTier } from '../price/model-price.entity.js';
import type { SpendScopeType } from '../spend/spend-counter.entity.js';

/** Records one usageRecord call accepts; the rest of a longer list is rejected by index. */
export const MAX_USAGE_BATCH = 1000;

registerEnumType(UsageKind, {
  name: 'UsageKind',
  description: 'What kind of model call a usage record is.',
  valuesConfig: {
    CHAT: { description: 'A chat or text completion call.' },
    EMBEDDING: { description: 'An embedding call, turning input into vectors.' },
    IMAGE: { description: 'An image generation or editing call.' },
    VIDEO: { description: 'A video generation call.' },
    AUDIO: { description: 'A speech or audio call, such as transcription or speech synthesis.' },
  },
});
registerEnumType(UsageStatus, {
  name: 'UsageStatus',
  description: 'Whether the upstream model call succeeded.',
  valuesConfig: {
    SUCCEEDED: { description: 'The call succeeded: always charged.' },
    FAILED: { description: "The call failed: charged only when the tenant's failed-request policy is CHARGED." },
  },
});
registerEnumType(ChargeReason, {
  name: 'ChargeReason',
  description: 'Why a usage record was or was not charged.',
  valuesConfig: {
    SUCCEEDED: { description: 'A successful call: charged.' },
    FAILED_CHARGED_BY_POLICY: { description: "A failed call, charged because the tenant's failed-request policy is CHARGED." },
    FAILED_NOT_CHARGED_BY_POLICY: { description: 'A failed call, not charged (the default failed-request policy).' },
  },
});

export enum UsageRejectionCode {
  BATCH_LIMIT_EXCEEDED = 'BATCH_LIMIT_EXCEEDED',
  INVALID_REQUEST_ID = 'INVALID_REQUEST_ID',
  INVALID_QUANTITY = 'INVALID_QUANTITY',
  INVALID_TEXT = 'INVALID_TEXT',
  UNKNOWN_API_KEY = 'UNKNOWN_API_KEY',
  KEY_REVOKED = 'KEY_REVOKED',
  KEY_EXPIRED = 'KEY_EXPIRED',
  OCCURRED_IN_FUTURE = 'OCCURRED_IN_FUTURE',
  OCCURRED_OUT_OF_RANGE = 'OCCURRED_OUT_OF_RANGE',
  OCCURRED_BEFORE_KEY_CREATED = 'OCCURRED_BEFORE_KEY_CREATED',
  UNKNOWN_MODEL = 'UNKNOWN_MODEL',
  NO_PRICE_IN_FORCE = 'NO_PRICE_IN_FORCE',
  COST_OUT_OF_RANGE = 'COST_OUT_OF_RANGE',
}
registerEnumType(UsageRejectionCode, {
  name: 'UsageRejectionCode',
  description: 'Why one usage record was rejected; the other records of its batch are unaffected.',
  valuesConfig: {
    BATCH_LIMIT_EXCEEDED: { description: `The record is past the first ${MAX_USAGE_BATCH} of its batch.` },
    INVALID_REQUEST_ID: { description: 'requestId is blank, longer than 128 characters or holds control characters.' },
    INVALID_QUANTITY: { description: 'A count is negative, fractional or above 10^12.' },
    INVALID_TEXT: {
      description: 'apiKeyId, model, endUserTag or taskId holds NUL or an unpaired surrogate, is only whitespace, or is longer than 128 characters.',
    },
    UNKNOWN_API_KEY: { description: 'apiKeyId names no API key.' },
    KEY_REVOKED: { description: 'The key was revoked before the usage occurred.' },
    KEY_EXPIRED: { description: 'The key had expired when the usage occurred.' },
    OCCURRED_IN_FUTURE: { description: 'occurredAt is more than 5 minutes ahead of the server clock.' },
    OCCURRED_OUT_OF_RANGE: { description: 'occurredAt is before 1970.' },
    OCCURRED_BEFORE_KEY_CREATED: { description: 'occurredAt is before the key existed.' },
    UNKNOWN_MODEL: { description: 'The price book has no such model.' },
    NO_PRICE_IN_FORCE: { description: "The model has no price in the tenant's billing currency in force at occurredAt." },
    COST_OUT_OF_RANGE: { description: 'The record would cost 10^12 or more: no single request does; the counts are wrong.' },
  },
});

function parseQuantity(value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new GraphQLError(`UsageQuantity must be a JSON number, got ${JSON.stringify(value)}.`, { extensions: { code: 'BAD_USER_INPUT' } });
  }
  return value;
}

/**
 * Counts in usage records accept any number on the wire, so that a negative or fractional count
 * rejects only its own record (INVALID_QUANTITY) instead of failing the whole batch.
 */
export const UsageQuantityScalar = new GraphQLScalarType<number, number>({
  name: 'UsageQuantity',
  description:
    'A count of tokens, images or seconds: a whole number from 0 to 10^12. Any JSON number is accepted on the wire; anything else rejects only its record, with INVALID_QUANTITY.',
  serialize: (value) => Number(value),
  parseValue: parseQuantity,
  parseLiteral: (ast) => parseQuantity(ast.kind === Kind.INT || ast.kind === Kind.FLOAT ? Number(ast.value) : undefined),
});

/** What one request uses: the counts a usage record carries and an estimate gives. */
@InputType()
class UsageQuantitiesInput {
  @Field(() => UsageQuantityScalar, { defaultValue: 0, description: 'Input tokens not served from cache.' })
  inputTokens!: number;

  @Field(() => UsageQuantityScalar, { defaultValue: 0, description: 'Output tokens.' })
  outputTokens!: number;

  @Field(() => UsageQuantityScalar, { defaultValue: 0, description: 'Input tokens served from the prompt cache.' })
  cachedInputTokens!: number;

  @Field(() => UsageQuantityScalar, { defaultValue: 0, description: 'Images generated.' })
  imageCount!: number;

  @Field(() => UsageQuantityScalar, { defaultValue: 0, description: 'Seconds of video generated, whole seconds as billed upstream.' })
  videoSeconds!: number;
}

@InputType('UsageRecordItemInput', {
  description:
    'One gateway request. Tenant and department come from the key. Text that breaks the input rule (NUL, an unpaired surrogate, blank where required) rejects only its record, with INVALID_TEXT or INVALID_REQUEST_ID.',
})
@Extensions(CHECKED_PER_ITEM)
export class UsageRecordItemInput extends UsageQuantitiesInput {
  @Field({
    description:
      "The gateway's id of the request, unique per tenant forever: a replay with the same id is a duplicate and changes nothing. At most 128 characters.",
  })
  requestId!: string;

  @Field(() => ID, { description: 'The key the request was made with.' })
  apiKeyId!: string;

  @Field({ description: 'Model name as in the price book.' })
  model!: string;

  @Field(() => Date, { description: 'When the request happened; priced with the price version in force then. At most 5 minutes ahead of the server.' })
  occurredAt!: Date;

  @Field(() => UsageKind, { description: 'Kind of call.' })
  kind!: UsageKind;

  @Field(() => UsageStatus, { description: "Whether the call succeeded; failed calls follow the tenant's failed-request policy." })
  status!: UsageStatus;

  @Field(() => String, { nullable: true, description: "The tenant's own tag for its end user, at most 128 characters." })
  endUserTag?: string | null;

  @Field(() => String, { nullable: true, description: "The tenant's task or job id, at most 128 characters." })
  taskId?: string | null;
}

@InputType('UsageRecordInput', { description: `A batch of usage records: at most ${MAX_USAGE_BATCH} per call. Recorded in one transaction.` })
export class UsageRecordInput {
  @Field(() => [UsageRecordItemInput], {
    description: `At most ${MAX_USAGE_BATCH} records; records past the ${MAX_USAGE_BATCH}th are rejected with BATCH_LIMIT_EXCEEDED.`,
  })
  records!: UsageRecordItemInput[];
}

@ObjectType('UsageRejection', { description: 'A record of the batch that was not recorded, and why.' })
export class UsageRejection {
  @Field(() => Int, { description: 'Position of the record in `records`, from 0.' })
  index!: number;

  @Field(() => String, { nullable: true, description: "The record's requestId, as sent." })
  requestId!: string | null;

  @Field(() => UsageRejectionCode, { description: 'Machine-readable reason.' })
  code!: UsageRejectionCode;

  @Field(() => [String], { description: 'Path of the field at fault, e.g. ["input", "records", "3", "inputTokens"].' })
  field!: string[];

  @Field({ description: 'Human-readable reason naming the field and the rule.' })
  message!: string;
}

@ObjectType('UsageDuplicate', { description: 'A record already recorded earlier (or earlier in the same batch): nothing changed.' })
export class UsageDuplicate {
  @Field(() => Int, { description: 'Position of the record in `records`, from 0.' })
  index!: number;

  @Field({ description: 'The duplicated requestId.' })
  requestId!: string;
}

@ObjectType('UsageRecordPayload', { description: 'Outcome of a usage batch: every record is accepted, a duplicate, or rejected.' })
export class UsageRecordPayload {
  @Field(() => Int, { description: 'Records recorded and priced by this call.' })
  acceptedCount!: number;

  @Field(() => Int, { description: 'Records whose requestId was already recorded for the tenant.' })
  duplicateCount!: number;

  @Field(() => Int, { description: 'Records refused; see rejections.' })
  rejectedCount!: number;

  @Field(() => [UsageRejection], { description: 'Each refused record, by index.' })
  rejections!: UsageRejection[];

  @Field(() => [UsageDuplicate], { description: 'Each duplicate record, by index.' })
  duplicates!: UsageDuplicate[];

  @Field(() => [UserError], { description: 'Problems with the call as a whole; empty when the batch was processed.' })
  userErrors!: UserError[];
}

@ObjectType('UsageRecord', { implements: Node, description: 'One gateway request, priced when it was recorded.' })
export class UsageRecordNode extends Node {
  tenantId!: string;
  departmentId!: string;
  apiKeyId!: string;
  priceId!: string;

  @Field({ description: "The gateway's request id." })
  requestId!: string;

  @Field({ description: 'Model name.' })
  model!: string;

  @Field(() => UsageKind, { description: 'Kind of call.' })
  kind!: UsageKind;

  @Field(() => UsageStatus, { description: 'Whether the call succeeded.' })
  status!: UsageStatus;

  @Field(() => SafeIntScalar, { description: 'Input tokens not served from cache.' })
  inputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Output tokens.' })
  outputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Cached input tokens.' })
  cachedInputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Images generated.' })
  imageCount!: number;

  @Field(() => SafeIntScalar, { description: 'Seconds of video generated.' })
  videoSeconds!: number;

  @Field(() => Money, { description: 'Exact price of the usage at its price version, charged or not (not rounded).' })
  cost!: Money;

  @Field(() => Money, { description: 'What the tenant pays for it: the cost, or zero when not charged.' })
  chargedAmount!: Money;

  @Field({ description: 'Whether the record is charged.' })
  isCharged!: boolean;

  @Field(() => ChargeReason, { description: 'Why it is charged or not.' })
  chargeReason!: ChargeReason;

  @Field(() => String, { nullable: true, description: "The tenant's end-user tag." })
  endUserTag!: string | null;

  @Field(() => String, { nullable: true, description: "The tenant's task id." })
  taskId!: string | null;

  @Field(() => Date, { description: 'When the request happened.' })
  occurredAt!: Date;

  @Field(() => Date, { description: 'When it was recorded.' })
  recordedAt!: Date;
}

export function toUsageRecordNode(record: UsageRecord): UsageRecordNode {
  return Object.assign(new UsageRecordNode(), {
    id: record.id,
    tenantId: record.tenantId,
    departmentId: record.departmentId,
    apiKeyId: record.apiKeyId,
    priceId: record.priceId,
    requestId: record.requestId,
    model: record.model,
    kind: record.kind,
    status: record.status,
    inputTokens: record.inputTokens,
    outputTokens: record.outputTokens,
    cachedInputTokens: record.cachedInputTokens,
    imageCount: record.imageCount,
    videoSeconds: record.videoSeconds,
    cost: Money.of(record.cost, record.currency),
    chargedAmount: Money.of(record.chargedAmount, record.currency),
    isCharged: record.isCharged,
    chargeReason: record.chargeReason,
    endUserTag: record.endUserTag ?? null,
    taskId: record.taskId ?? null,
    occurredAt: record.occurredAt,
    recordedAt: record.recordedAt,
  });
}

export const UsageRecordConnection = connectionType(UsageRecordNode, 'UsageRecord');

@InputType('UsageRecordFilter', { description: "Which usage records to list; a tenant user always sees only its tenant's." })
export class UsageRecordFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator and platform ERP).' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only keys of this department and the departments below it.' })
  departmentId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this key.' })
  apiKeyId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this model.' })
  model?: string | null;

  @Field(() => UsageStatus, { nullable: true, description: 'Only this status.' })
  status?: UsageStatus | null;

  @Field(() => String, {
    nullable: true,
    description:
      "Only the record of this requestId: the gateway's id of one call (found through the tenant's requestIds, so the operator names the tenant too).",
  })
  requestId?: string | null;

  @Field(() => String, { nullable: true, description: "Only records of this task id (the tenant's, e.g. an image or video job)." })
  taskId?: string | null;

  @Field(() => Boolean, { nullable: true, description: 'Only charged (true) or only not charged (false) records.' })
  isCharged?: boolean | null;

  @Field(() => Date, { nullable: true, description: 'Occurred at or after this instant.' })
  occurredFrom?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Occurred before this instant.' })
  occurredTo?: Date | null;
}

export enum UsageGroupBy {
  DEPARTMENT = 'DEPARTMENT',
  API_KEY = 'API_KEY',
  ENVIRONMENT = 'ENVIRONMENT',
  MODEL = 'MODEL',
  TIER = 'TIER',
  KIND = 'KIND',
  END_USER_TAG = 'END_USER_TAG',
  MONTH = 'MONTH',
  DAY = 'DAY',
  HOUR = 'HOUR',
}
registerEnumType(UsageGroupBy, {
  name: 'UsageGroupBy',
  description: "A dimension of usageSummary. MONTH, DAY and HOUR are local to the tenant's time zone.",
  valuesConfig: {
    DEPARTMENT: {
      description: "The department the usage was recorded under (its key's department); with rollUpDepartments, each department with everything below it.",
    },
    API_KEY: { description: 'The API key the call was made with.' },
    ENVIRONMENT: { description: "The key's environment: TEST or PRODUCTION." },
    MODEL: { description: 'The model name as recorded.' },
    TIER: { description: "The model's tier in the price version the usage was priced with." },
    KIND: { description: 'The kind of call: CHAT, EMBEDDING, IMAGE, VIDEO or AUDIO.' },
    END_USER_TAG: { description: "The tenant's end-user tag (null for usage without one)." },
    MONTH: { description: 'The local month in the tenant\'s time zone, "YYYY-MM".' },
    DAY: { description: "The local day in the tenant's time zone." },
    HOUR: { description: "The local hour in the tenant's time zone, given as the instant it starts." },
  },
});

@ObjectType('UsageSummaryGroup', { description: 'Totals of one group of usageSummary; the fields of dimensions not grouped by are null.' })
export class UsageSummaryGroup {
  departmentId!: string | null;
  apiKeyId!: string | null;

  @Field(() => ApiKeyEnvironment, { nullable: true, description: 'The key environment, when grouped by ENVIRONMENT.' })
  environment!: ApiKeyEnvironment | null;

  @Field(() => String, { nullable: true, description: 'The model, when grouped by MODEL.' })
  model!: string | null;

  @Field(() => ModelTier, { nullable: true, description: 'The model tier, when grouped by TIER.' })
  tier!: ModelTier | null;

  @Field(() => UsageKind, { nullable: true, description: 'The kind of call, when grouped by KIND.' })
  kind!: UsageKind | null;

  @Field(() => String, { nullable: true, description: 'The end-user tag, when grouped by END_USER_TAG (null too for usage without one).' })
  endUserTag!: string | null;

  @Field(() => String, { nullable: true, description: 'The local month "YYYY-MM", when grouped by MONTH.' })
  month!: string | null;

  @Field(() => LocalDateScalar, { nullable: true, description: 'The local day, when grouped by DAY.' })
  day!: string | null;

  @Field(() => Date, { nullable: true, description: 'Start of the local hour, when grouped by HOUR.' })
  hour!: Date | null;

  @Field(() => SafeIntScalar, { description: 'Usage records in the group, charged or not.' })
  requestCount!: number;

  @Field(() => SafeIntScalar, { description: 'Input tokens not served from cache.' })
  inputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Output tokens.' })
  outputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Cached input tokens.' })
  cachedInputTokens!: number;

  @Field(() => SafeIntScalar, { description: 'Images generated.' })
  imageCount!: number;

  @Field(() => SafeIntScalar, { description: 'Seconds of video generated.' })
  videoSeconds!: number;

  @Field(() => Money, { description: 'Charged amount of the group, exact.' })
  cost!: Money;
}

@InputType('UsageAuthorizeInput', { description: 'The pre-call check of one gateway request.' })
export class UsageAuthorizeInput {
  @Field({ description: 'The secret the caller sent to the gateway (sk-live-... or sk-test-...).' })
  apiKeySecret!: string;

  @Field({ description: 'The model the caller asks for.' })
  model!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'What the call is expected to cost; denied if it would overrun a limit.' })
  estimatedCost?: string | null;
}

@InputType('UsageEstimateInput', { description: 'What a call is expected to use, priced by the price book in force now.' })
export class UsageEstimateInput extends UsageQuantitiesInput {}

@InputType('UsageReserveInput', { description: 'The pre-call check of one gateway request that also holds its estimate against every limit.' })
export class UsageReserveInput {
  @Field({ description: 'The secret the caller sent to the gateway (sk-live-... or sk-test-...).' })
  apiKeySecret!: string;

  @Field({ description: 'The model the caller asks for.' })
  model!: string;

  @Field({ description: 'The requestId the usage will be recorded with: recording it ends the hold. At most 128 characters.' })
  requestId!: string;

  @Field(() => DecimalScalar, { nullable: true, description: 'What the call is expected to cost. Give this or estimatedUsage.' })
  estimatedCost?: string | null;

  @Field(() => UsageEstimateInput, {
    nullable: true,
    description:
      "What the call is expected to use, priced by the book in force now (count output tokens as the request's max_tokens, so the estimate is never short). Give this or estimatedCost.",
  })
  estimatedUsage?: UsageEstimateInput | null;
}

@InputType('UsageReleaseInput', { description: 'A reservation the gateway no longer needs: the call was not made.' })
export class UsageReleaseInput {
  @Field({ description: 'The secret the reservation was made with.' })
  apiKeySecret!: string;

  @Field({ description: "The reservation's requestId." })
  requestId!: string;
}

export enum UsageDenialCode {
  KEY_INVALID = 'KEY_INVALID',
  KEY_REVOKED = 'KEY_REVOKED',
  KEY_EXPIRED = 'KEY_EXPIRED',
  TENANT_SUSPENDED = 'TENANT_SUSPENDED',
  MODEL_NOT_ALLOWED = 'MODEL_NOT_ALLOWED',
  KEY_LIMIT_EXCEEDED = 'KEY_LIMIT_EXCEEDED',
  BUDGET_EXCEEDED = 'BUDGET_EXCEEDED',
  BALANCE_INSUFFICIENT = 'BALANCE_INSUFFICIENT',
  CREDIT_LIMIT_EXCEEDED = 'CREDIT_LIMIT_EXCEEDED',
  RATE_LIMITED = 'RATE_LIMITED',
}
registerEnumType(UsageDenialCode, {
  name: 'UsageDenialCode',
  description: 'Why the gateway must refuse a call. httpStatus says what to answer: 401 bad key, 403 policy, 429 rate, 402 money.',
  valuesConfig: {
    KEY_INVALID: { description: '401: no key has this secret (never issued, or replaced by a rotation).' },
    KEY_REVOKED: { description: '401: the key is revoked.' },
    KEY_EXPIRED: { description: '401: the key is past its expiry.' },
    TENANT_SUSPENDED: { description: '403: the tenant is suspended or closed.' },
    MODEL_NOT_ALLOWED: { description: '403: the key may not use this model, or the model has no price for the tenant.' },
    KEY_LIMIT_EXCEEDED: { description: "402: the key's own spend limit for the period is used up (or the estimate would pass it)." },
    BUDGET_EXCEEDED: { description: "402: a hard budget up the key's tree is used up." },
    BALANCE_INSUFFICIENT: { description: '402: the prepaid balance cannot cover the call.' },
    CREDIT_LIMIT_EXCEEDED: { description: '402: unpaid bills and open spend reach the credit limit.' },
    RATE_LIMITED: {
      description:
        "429: a requests- or tokens-per-minute limit on the key, a department up its tree or the tenant has no room for the call in the last 60 s; retryAfterSeconds says when it will (the gateway's Retry-After).",
    },
  },
});

@ObjectType('UsageDenial', { description: 'Why a call is refused, and what the gateway should answer.' })
export class UsageDenial {
  @Field(() => UsageDenialCode, { description: 'Machine-readable reason.' })
  code!: UsageDenialCode;

  @Field(() => Int, { description: 'The HTTP status the gateway should answer with: 401, 402, 403 or 429.' })
  httpStatus!: number;

  @Field(() => SpendScopeNode, { nullable: true, description: 'The scope whose limit tripped, for spend and rate denials.' })
  scope!: SpendScopeNode | null;

  @Field({ description: 'Human-readable reason, fit to pass on to the caller.' })
  message!: string;

  @Field(() => Int, {
    nullable: true,
    description:
      "For RATE_LIMITED: whole seconds until the limit has room for the call if nothing else is counted meanwhile (the gateway's Retry-After); null for other denials, and when the call alone is over the limit.",
  })
  retryAfterSeconds!: number | null;
}

@ObjectType('UsageAuthorization', { description: 'The answer to usageAuthorize, and the check of usageReserve.' })
export class UsageAuthorization {
  @Field({ description: 'Whether the gateway may forward the call.' })
  isAllowed!: boolean;

  @Field(() => UsageDenial, { nullable: true, description: 'Why not, when isAllowed is false.' })
  denial!: UsageDenial | null;

  @Field(() => ID, { nullable: true, description: 'The key the secret belongs to; null for an unknown secret.' })
  apiKeyId!: string | null;

  @Field(() => ID, { nullable: true, description: "The key's tenant." })
  tenantId!: string | null;

  @Field(() => ID, { nullable: true, description: "The key's department." })
  departmentId!: string | null;

  @Field(() => Money, { nullable: true, description: 'The least remaining spend among the limits that apply; null when none does.' })
  remainingSpend!: Money | null;

  @Field(() => [SpendNode], { description: "Every spend limit that applies to the call, with its current period's figures." })
  limits!: SpendNode[];
}

@ObjectType('UsageReservation', { description: 'An estimate held against every limit of a call until its usage is recorded, it is released, or it expires.' })
export class UsageReservation {
  @Field({ description: 'The requestId the usage will be recorded with.' })
  requestId!: string;

  @Field(() => Money, { description: 'The estimate held.' })
  amount!: Money;

  @Field(() => Date, { description: 'When the hold lapses if the request is never recorded or released.' })
  expiresAt!: Date;
}

@ObjectType('UsageReservePayload', { description: 'The answer to usageReserve.' })
export class UsageReservePayload {
  @Field(() => UsageAuthorization, { nullable: true, description: 'The check, as usageAuthorize answers it; null when userErrors is not empty.' })
  authorization!: UsageAuthorization | null;

  @Field(() => UsageReservation, { nullable: true, description: 'The hold; null when the call is not allowed.' })
  reservation!: UsageReservation | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success, and on a denial (which is in authorization).' })
  userErrors!: UserError[];
}

@ObjectType('UsageReleasePayload', { description: 'The answer to usageRelease.' })
export class UsageReleasePayload {
  @Field({ description: 'Whether a hold was freed; false when there was none (recorded, released before, or expired).' })
  isReleased!: boolean;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

registerEnumType(GatewayCheck, {
  name: 'GatewayCheck',
  description: 'The gateway check that answered.',
  valuesConfig: {
    AUTHORIZE: { description: 'usageAuthorize, the read-only check.' },
    RESERVE: { description: 'usageReserve, the check that holds the estimate.' },
    TASK_SUBMIT: { description: 'usageTaskSubmit, which holds the estimate of an image or video task.' },
  },
});

@ObjectType('UsageDenialEntry', {
  implements: Node,
  description:
    "Refusals of one API key by one gateway check, for one code and model, in one UTC minute: counted, with the last refusal's status, scope and message. Kept for USAGE_DENIAL_RETENTION (90 days by default).",
})
export class UsageDenialEntryNode extends Node {
  tenantId!: string;
  apiKeyId!: string;
  scopeType!: SpendScopeType | null;
  scopeId!: string | null;

  @Field(() => Date, { description: 'The start of the UTC minute the refusals fell in.' })
  minute!: Date;

  @Field(() => GatewayCheck, { description: 'The check that refused.' })
  check!: GatewayCheck;

  @Field(() => UsageDenialCode, { description: 'Why: the denial code the gateway received.' })
  code!: UsageDenialCode;

  @Field(() => Int, { description: 'The HTTP status the gateway was told to answer: 401, 402, 403 or 429.' })
  httpStatus!: number;

  @Field({ description: 'The model the call was for.' })
  model!: string;

  @Field({ description: "The last refusal's message: it names the limit that refused and its figures." })
  message!: string;

  @Field(() => SafeIntScalar, { description: 'Refusals in the minute.' })
  count!: number;

  @Field(() => Date, { description: 'The first refusal of the minute.' })
  firstAt!: Date;

  @Field(() => Date, { description: 'The last refusal of the minute.' })
  lastAt!: Date;
}

export function toUsageDenialEntryNode(entry: UsageDenialEntry): UsageDenialEntryNode {
  return Object.assign(new UsageDenialEntryNode(), {
    id: entry.id,
    tenantId: entry.tenantId,
    apiKeyId: entry.apiKeyId,
    scopeType: entry.scopeType ?? null,
    scopeId: entry.scopeId ?? null,
    minute: entry.minute,
    check: entry.check,
    code: entry.code as UsageDenialCode,
    httpStatus: entry.httpStatus,
    model: entry.model,
    message: entry.message,
    count: entry.count,
    firstAt: entry.firstAt,
    lastAt: entry.lastAt,
  });
}

export const UsageDenialEntryConnection = connectionType(UsageDenialEntryNode, 'UsageDenialEntry');

@InputType('UsageDenialFilter', { description: "Which refusals to list; a tenant user always sees only its tenant's." })
export class UsageDenialFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (operator).' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only this key.' })
  apiKeyId?: string | null;

  @Field(() => UsageDenialCode, { nullable: true, description: 'Only this code.' })
  code?: UsageDenialCode | null;

  @Field(() => String, { nullable: true, description: 'Only this model.' })
  model?: string | null;

  @Field(() => Date, { nullable: true, description: 'Minutes that end after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Minutes that start before this instant.' })
  to?: Date | null;
}
