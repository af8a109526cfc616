import { monotonicFactory } from 'ulid';

/** Every public id is `<prefix>_<ULID>`: opaque to clients, sortable by creation, typed by its prefix. */
export const ID_PREFIXES = {
  Tenant: 'ten',
  Department: 'dep',
  ApiKey: 'key',
  AccessToken: 'tok',
  AuditEntry: 'aud',
  ModelPrice: 'prc',
  UsageRecord: 'use',
  Budget: 'bud',
  Alert: 'alr',
  BalanceEntry: 'bal',
  RedemptionCode: 'rdc',
  Contract: 'con',
  Bill: 'bil',
  Payment: 'pay',
  SettlementRun: 'srn',
  VatInvoice: 'inv',
  WebhookEndpoint: 'whe',
  WebhookDelivery: 'whd',
  UsageDenial: 'den',
  UsageTask: 'tsk',
} as const;

export type NodeTypeName = keyof typeof ID_PREFIXES;

const nextUlid = monotonicFactory();
const ID_PATTERN = /^([a-z]{3})_([0-9A-HJKMNP-TV-Z]{26})$/;
const typeByPrefix = new Map<string, NodeTypeName>(Object.entries(ID_PREFIXES).map(([type, prefix]) => [prefix, type as NodeTypeName]));

export function newId(type: NodeTypeName): string {
  return `${ID_PREFIXES[type]}_${nextUlid()}`;
}

/** A webhook message's `webhook-id`: the same on every endpoint and every retry of one event, so receivers can drop repeats. Not a node. */
export function newWebhookMessageId(): string {
  return `msg_${nextUlid()}`;
}

/** The type an id names, or undefined when it is not one of ours. */
export function typeOfId(id: string): NodeTypeName | undefined {
  const match = ID_PATTERN.exec(id);
  return match ? typeByPrefix.get(match[1]) : undefined;
}

export function isIdOf(type: NodeTypeName, id: string): boolean {
  return typeOfId(id) === type;
}
