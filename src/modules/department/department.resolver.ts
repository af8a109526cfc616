import { Arg, Args, Authorized, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import type { RequestContext } from '../../context.js';
import { DIRECTORY_READERS, DIRECTORY_WRITERS } from '../../platform/auth/roles.js';
import { PageArgs } from '../../platform/graphql/relay.js';
import { collectUserErrors } from '../../platform/user-errors.js';
import { argumentId } from '../../platform/validation.js';
import { TenantNode, toTenantNode } from '../tenant/tenant.types.js';
import type { Department } from './department.entity.js';
import { archiveDepartment, createDepartment, findDepartment, listDepartments, moveDepartment, updateDepartment } from './department.service.js';
import {
  DepartmentArchiveInput,
  DepartmentConnection,
  DepartmentCreateInput,
  DepartmentFilterInput,
  DepartmentMoveInput,
  DepartmentNode,
  DepartmentOrderInput,
  DepartmentPayload,
  DepartmentUpdateInput,
  toDepartmentNode,
} from './department.types.js';

async function departmentPayload(work: () => Promise<Department>) {
  const { result, userErrors } = await collectUserErrors(work);
  return { department: result ? toDepartmentNode(result) : null, userErrors };
}

@Resolver(() => DepartmentNode)
export class DepartmentResolver {
  @Authorized(DIRECTORY_READERS)
  @Query(() => DepartmentNode, {
    nullable: true,
    description: "One department (operator and tenant users; not ERP or the gateway); null when it does not exist or is another tenant's.",
  })
  async department(
    @Ctx() context: RequestContext,
    @Arg('id', () => ID, { description: 'The department (dep_...).' }) id: string,
  ): Promise<DepartmentNode | null> {
    const department = await findDepartment(context, argumentId('Department', id, 'id'));
    return department ? toDepartmentNode(department) : null;
  }

  @FieldResolver(() => TenantNode, { description: 'The tenant the department belongs to.' })
  async tenant(@Ctx() context: RequestContext, @Root() department: DepartmentNode): Promise<TenantNode> {
    const tenant = await context.loaders.tenantById.load(department.tenantId);
    return toTenantNode(tenant!);
  }

  // ERP reads a bill line's department, not the tree around it.
  @Authorized(DIRECTORY_READERS)
  @FieldResolver(() => DepartmentNode, { nullable: true, description: 'The parent department; null at the top level. Not for ERP.' })
  async parent(@Ctx() context: RequestContext, @Root() department: DepartmentNode): Promise<DepartmentNode | null> {
    if (!department.parentId) return null;
    const parent = await context.loaders.departmentById.load(department.parentId);
    return parent ? toDepartmentNode(parent) : null;
  }

  @Authorized(DIRECTORY_READERS)
  @FieldResolver(() => [DepartmentNode], { description: 'Direct child departments, by name. Not for ERP.' })
  async children(
    @Ctx() context: RequestContext,
    @Root() department: DepartmentNode,
    @Arg('includeArchived', { defaultValue: false, description: 'Include archived children.' }) includeArchived: boolean,
  ): Promise<DepartmentNode[]> {
    const children = await context.loaders.departmentChildren.load(department.id);
    return children.filter((child) => includeArchived || !child.archivedAt).map(toDepartmentNode);
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => DepartmentPayload, { description: 'Create a department, top-level or under a parent.' })
  departmentCreate(
    @Ctx() context: RequestContext,
    @Arg('input', () => DepartmentCreateInput, { description: 'The new department: its tenant, parent (none for a root) and name.' })
    input: DepartmentCreateInput,
  ) {
    return departmentPayload(() => createDepartment(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => DepartmentPayload, { description: 'Rename a department.' })
  departmentUpdate(
    @Ctx() context: RequestContext,
    @Arg('input', () => DepartmentUpdateInput, { description: 'The department and its new name.' }) input: DepartmentUpdateInput,
  ) {
    return departmentPayload(() => updateDepartment(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => DepartmentPayload, { description: 'Move a department under another parent. A move that would make a cycle is refused (CYCLE).' })
  departmentMove(
    @Ctx() context: RequestContext,
    @Arg('input', () => DepartmentMoveInput, { description: 'The department and its new parent (none: it becomes a root).' }) input: DepartmentMoveInput,
  ) {
    return departmentPayload(() => moveDepartment(context, input));
  }

  @Authorized(DIRECTORY_WRITERS)
  @Mutation(() => DepartmentPayload, { description: 'Archive a department with no active children and no active keys. History is kept.' })
  departmentArchive(
    @Ctx() context: RequestContext,
    @Arg('input', () => DepartmentArchiveInput, { description: 'The department to archive.' }) input: DepartmentArchiveInput,
  ) {
    return departmentPayload(() => archiveDepartment(context, input));
  }
}

@Resolver(() => TenantNode)
export class TenantDepartmentsResolver {
  @Authorized(DIRECTORY_READERS)
  @FieldResolver(() => DepartmentConnection, { description: "The tenant's departments, active ones unless the filter says otherwise. Not for ERP." })
  async departments(
    @Ctx() context: RequestContext,
    @Root() tenant: TenantNode,
    @Args() page: PageArgs,
    @Arg('filter', () => DepartmentFilterInput, { nullable: true, description: 'Only departments that match every condition given.' })
    filter: DepartmentFilterInput | null,
    @Arg('orderBy', () => DepartmentOrderInput, { nullable: true, description: 'Sort order; default by name, A to Z.' }) orderBy: DepartmentOrderInput | null,
  ) {
    return DepartmentConnection.from(await listDepartments(context, tenant.id, filter, orderBy, page), toDepartmentNode);
  }
}
