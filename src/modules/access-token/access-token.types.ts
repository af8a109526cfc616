import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { Role } from '../../platform/auth/roles.js';
import { connectionType, Node } from '../../platform/graphql/relay.js';
import { UserError } from '../../platform/graphql/user-error.types.js';
import type { AccessToken } from './access-token.entity.js';

registerEnumType(Role, {
  name: 'Role',
  description: 'What an access token may do.',
  valuesConfig: {
    PLATFORM_ADMIN: { description: 'Operator staff: everything, across tenants.' },
    TENANT_ADMIN: { description: 'Manages one tenant: departments, keys, tokens, settings.' },
    TENANT_FINANCE: { description: 'Reads one tenant and handles its money: bills, payments, invoices.' },
    TENANT_VIEWER: { description: 'Reads one tenant.' },
    GATEWAY: { description: 'The AI gateway: authorizes keys and records usage, across tenants.' },
    ERP: { description: "Reads bills, invoices and payments: of one tenant, or of all for the operator's ERP." },
  },
});

@ObjectType('AccessToken', { implements: Node, description: 'A credential for this API. The secret is shown once.' })
export class AccessTokenNode extends Node {
  tenantId!: string | null;

  @Field({ description: 'Name for people, e.g. "ERP nightly sync".' })
  name!: string;

  @Field(() => Role, { description: 'What the token may do.' })
  role!: Role;

  @Field({ description: 'The first characters of the secret, to recognise it.' })
  secretPrefix!: string;

  @Field(() => Date, { nullable: true, description: 'When the token stops working; null for never.' })
  expiresAt!: Date | null;

  @Field(() => Date, { nullable: true, description: 'When the token was revoked.' })
  revokedAt!: Date | null;

  @Field({ description: 'When the token was created.' })
  createdAt!: Date;
}

export function toAccessTokenNode(token: AccessToken): AccessTokenNode {
  return Object.assign(new AccessTokenNode(), {
    id: token.id,
    tenantId: token.tenant?.id ?? null,
    name: token.name,
    role: token.role,
    secretPrefix: token.secretPrefix,
    expiresAt: token.expiresAt ?? null,
    revokedAt: token.revokedAt ?? null,
    createdAt: token.createdAt,
  });
}

export const AccessTokenConnection = connectionType(AccessTokenNode, 'AccessToken');

@ObjectType('Viewer', { description: 'The caller, as its access token describes it.' })
export class ViewerNode {
  @Field(() => Role, { description: "The caller's role." })
  role!: Role;

  @Field(() => AccessTokenNode, { description: 'The token the caller used.' })
  accessToken!: AccessTokenNode;

  tenantId!: string | null;
}

@ObjectType('AccessTokenPayload', { description: 'Result of a mutation on an access token.' })
export class AccessTokenPayload {
  @Field(() => AccessTokenNode, { nullable: true, description: 'The token; null when userErrors is not empty.' })
  accessToken!: AccessTokenNode | null;

  @Field(() => [UserError], { description: 'Why the input was refused; empty on success.' })
  userErrors!: UserError[];
}

@ObjectType('AccessTokenSecretPayload', { description: 'Result of creating a token: the only time its secret is shown.' })
export class AccessTokenSecretPayload extends AccessTokenPayload {
  @Field(() => String, { nullable: true, description: 'The secret, shown exactly once; send it as "Authorization: Bearer <secret>".' })
  secret!: string | null;
}

@InputType('AccessTokenCreateInput', { description: 'A new access token.' })
export class AccessTokenCreateInput {
  @Field({ description: 'Name, 1 to 100 characters.' })
  name!: string;

  @Field(() => Role, { description: 'Role. Tenant admins may create TENANT_ADMIN, TENANT_FINANCE, TENANT_VIEWER and ERP tokens of their tenant.' })
  role!: Role;

  @Field(() => ID, {
    nullable: true,
    description:
      'Tenant of the token: required for tenant roles created by the operator, optional for ERP, forbidden for PLATFORM_ADMIN and GATEWAY. Tenant admins leave it out.',
  })
  tenantId?: string | null;

  @Field(() => Date, { nullable: true, description: 'Expiry, in the future; omit for none.' })
  expiresAt?: Date | null;
}

@InputType('AccessTokenRevokeInput', { description: 'Revoke an access token: it is refused from the next request on.' })
export class AccessTokenRevokeInput {
  @Field(() => ID, { description: 'The token.' })
  accessTokenId!: string;
}

@InputType('AccessTokenFilter', { description: 'Narrows `accessTokens`.' })
export class AccessTokenFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only tokens of this tenant (operator only).' })
  tenantId?: string | null;

  @Field({ defaultValue: false, description: 'Include revoked tokens.' })
  includeRevoked!: boolean;
}
