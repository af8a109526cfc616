import { GraphQLJSONObject } from 'graphql-scalars';
import { Field, ID, InputType, ObjectType } from 'type-graphql';
import { Role } from '../../platform/auth/roles.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import type { AuditEntry } from './audit-entry.entity.js';

@ObjectType('AuditEntry', { implements: Node, description: 'Who changed access or money, when, and how.' })
export class AuditEntryNode extends Node {
  tenantId!: string | null;

  @Field(() => ID, { nullable: true, description: 'The access token that made the change.' })
  actorTokenId!: string | null;

  @Field(() => Role, { nullable: true, description: 'The role of that token at the time.' })
  actorRole!: Role | null;

  @Field({ description: 'What was done, e.g. `apiKey.revoke`.' })
  action!: string;

  @Field(() => ID, { description: 'Id of the object changed.' })
  targetId!: string;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The object before the change; null for creations.' })
  before!: Record<string, unknown> | null;

  @Field(() => GraphQLJSONObject, { nullable: true, description: 'The object after the change.' })
  after!: Record<string, unknown> | null;

  @Field(() => String, { nullable: true, description: 'Request id of the call that made the change.' })
  requestId!: string | null;

  @Field({ description: 'When the change was committed.' })
  createdAt!: Date;
}

export function toAuditEntryNode(entry: AuditEntry): AuditEntryNode {
  return Object.assign(new AuditEntryNode(), {
    id: entry.id,
    tenantId: entry.tenantId ?? null,
    actorTokenId: entry.actorTokenId ?? null,
    actorRole: entry.actorRole ?? null,
    action: entry.action,
    targetId: entry.targetId,
    before: entry.before ?? null,
    after: entry.after ?? null,
    requestId: entry.requestId ?? null,
    createdAt: entry.createdAt,
  });
}

export const AuditEntryConnection = connectionType(AuditEntryNode, 'AuditEntry');

@InputType('AuditEntryFilter', { description: 'Narrows `auditEntries`. All given conditions must hold.' })
export class AuditEntryFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only this tenant (platform callers; tenant callers always see their own).' })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Only changes to this object.' })
  targetId?: string | null;

  @Field(() => String, { nullable: true, description: 'Only this action, e.g. `apiKey.create`.' })
  action?: string | null;

  @Field(() => Date, { nullable: true, description: 'Only entries at or after this instant.' })
  from?: Date | null;

  @Field(() => Date, { nullable: true, description: 'Only entries before this instant.' })
  to?: Date | null;
}
