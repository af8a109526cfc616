import { Field, ID, InputType, ObjectType, registerEnumType } from 'type-graphql';
import { payloadType } from '../../platform/graphql/payload.js';
import { connectionType, Node, OrderDirection } from '../../platform/graphql/relay.js';
import type { Department } from './department.entity.js';

@ObjectType('Department', { implements: Node, description: 'A unit inside a tenant. Departments form a tree.' })
export class DepartmentNode extends Node {
  tenantId!: string;
  parentId!: string | null;

  @Field({ description: 'Name, unique among its active siblings.' })
  name!: string;

  @Field({ description: 'Whether the department is archived: it keeps its history but takes no new keys or children.' })
  isArchived!: boolean;

  @Field(() => Date, { nullable: true, description: 'When it was archived.' })
  archivedAt!: Date | null;

  @Field({ description: 'When it was created.' })
  createdAt!: Date;

  @Field({ description: 'When it last changed.' })
  updatedAt!: Date;
}

export function toDepartmentNode(department: Department): DepartmentNode {
  return Object.assign(new DepartmentNode(), {
    id: department.id,
    tenantId: department.tenant.id,
    parentId: department.parent?.id ?? null,
    name: department.name,
    isArchived: Boolean(department.archivedAt),
    archivedAt: department.archivedAt ?? null,
    createdAt: department.createdAt,
    updatedAt: department.updatedAt,
  });
}

export const DepartmentConnection = connectionType(DepartmentNode, 'Department');
export const DepartmentPayload = payloadType('DepartmentPayload', 'department', DepartmentNode, 'Result of a mutation on a department.');

export enum DepartmentOrderField {
  NAME = 'name',
  CREATED_AT = 'createdAt',
}
registerEnumType(DepartmentOrderField, {
  name: 'DepartmentOrderField',
  description: 'What to sort departments by.',
  valuesConfig: {
    NAME: { description: "The department's name (the order used when none is given)." },
    CREATED_AT: { description: 'When the department was created.' },
  },
});

@InputType('DepartmentOrder', { description: 'Sort order of departments.' })
export class DepartmentOrderInput {
  @Field(() => DepartmentOrderField, { description: 'Sort key; ties are broken by id.' })
  field!: DepartmentOrderField;

  @Field(() => OrderDirection, { defaultValue: OrderDirection.ASC, description: 'Direction.' })
  direction!: OrderDirection;
}

@InputType('DepartmentFilter', { description: 'Narrows a department list.' })
export class DepartmentFilterInput {
  @Field(() => ID, { nullable: true, description: 'Only direct children of this department.' })
  parentId?: string | null;

  @Field({ defaultValue: false, description: 'Only top-level departments (no parent).' })
  rootsOnly!: boolean;

  @Field({ defaultValue: false, description: 'Include archived departments.' })
  includeArchived!: boolean;

  @Field(() => String, { nullable: true, description: 'Only names containing this text (case-insensitive).' })
  nameContains?: string | null;
}

@InputType('DepartmentCreateInput', { description: 'A new department.' })
export class DepartmentCreateInput {
  @Field(() => ID, {
    nullable: true,
    description: 'Tenant of the department. Tenant users leave it out (their own is used); the operator gives it unless parentId implies it.',
  })
  tenantId?: string | null;

  @Field(() => ID, { nullable: true, description: 'Parent department; omit for a top-level department.' })
  parentId?: string | null;

  @Field({ description: 'Name, 1 to 100 characters, unique among active siblings.' })
  name!: string;
}

@InputType('DepartmentUpdateInput', { description: 'Rename a department.' })
export class DepartmentUpdateInput {
  @Field(() => ID, { description: 'The department.' })
  departmentId!: string;

  @Field({ description: 'New name, 1 to 100 characters, unique among active siblings.' })
  name!: string;
}

@InputType('DepartmentMoveInput', { description: 'Move a department (and everything below it) under another parent.' })
export class DepartmentMoveInput {
  @Field(() => ID, { description: 'The department to move.' })
  departmentId!: string;

  @Field(() => ID, { nullable: true, description: 'New parent; null makes it top-level. Must not be the department itself or below it.' })
  newParentId?: string | null;
}

@InputType('DepartmentArchiveInput', {
  description: 'Archive a department. It must have no active child departments and no active API keys.',
})
export class DepartmentArchiveInput {
  @Field(() => ID, { description: 'The department to archive.' })
  departmentId!: string;
}
