import { UniqueConstraintViolationException, type FilterQuery } from '@mikro-orm/postgresql';
import { z } from 'zod';
import { inTransaction, type RequestContext } from '../../context.js';
import { requireRole, tenantScope } from '../../platform/auth/actor.js';
import { DIRECTORY_READERS, DIRECTORY_WRITERS } from '../../platform/auth/roles.js';
import { containsPattern, OrderDirection, paginate, type PageArgs } from '../../platform/graphql/relay.js';
import { UserErrorCode, UserInputErrors } from '../../platform/user-errors.js';
import { inputId, requiredText, validateInput } from '../../platform/validation.js';
import { recordAudit } from '../audit/audit.service.js';
import { lockTenantForChange } from '../tenant/tenant.service.js';
import { Department } from './department.entity.js';
import { activeApiKeyCount, isDescendantOrSelf } from './department.repository.js';
import type {
  DepartmentArchiveInput,
  DepartmentCreateInput,
  DepartmentFilterInput,
  DepartmentMoveInput,
  DepartmentOrderInput,
  DepartmentUpdateInput,
} from './department.types.js';

const nameSchema = z.object({ name: requiredText(100) });
const SIBLING_NAME_CONSTRAINT = 'department_sibling_name_unique';

function auditView(department: Department): Record<string, unknown> {
  return {
    name: department.name,
    parentId: department.parent?.id ?? null,
    archivedAt: department.archivedAt?.toISOString() ?? null,
  };
}

export async function findDepartment(context: RequestContext, id: string): Promise<Department | null> {
  requireRole(context.actor, DIRECTORY_READERS);
  return context.loaders.departmentById.load(id);
}

export function listDepartments(
  context: RequestContext,
  tenantId: string,
  filter: DepartmentFilterInput | null | undefined,
  order: DepartmentOrderInput | null | undefined,
  page: PageArgs,
) {
  requireRole(context.actor, DIRECTORY_READERS);
  const where: FilterQuery<Department> = { tenant: tenantScope(context.actor, tenantId) };
  if (!filter?.includeArchived) where.archivedAt = null;
  if (filter?.rootsOnly) where.parent = null;
  if (filter?.parentId) where.parent = filter.parentId;
  if (filter?.nameContains) where.name = { $ilike: containsPattern(filter.nameContains) };
  return paginate({
    em: context.em,
    entity: Department,
    where,
    sortField: order?.field ?? 'name',
    direction: order?.direction ?? OrderDirection.ASC,
    page,
  });
}

/** A department of a tenant the actor can see, for a change; otherwise a NOT_FOUND userError on the field. */
async function departmentForChange(transaction: RequestContext, id: string, field: string[]): Promise<Department> {
  const departmentId = inputId('Department', id, field);
  const department = await transaction.em.findOne(Department, { id: departmentId });
  if (!department) {
    throw UserInputErrors.single(UserErrorCode.NOT_FOUND, field, `${field.at(-1)} names no department you can see`);
  }
  return department;
}

function refuseArchived(department: Department, field: string[]): void {
  if (department.archivedAt) {
    throw UserInputErrors.single(UserErrorCode.ARCHIVED, field, `${field.at(-1)} names an archived department`);
  }
}

/** Turns the sibling-name constraint into a userError; the constraint, not a pre-check, decides under races. */
async function withSiblingNameCheck<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException && error.message.includes(SIBLING_NAME_CONSTRAINT)) {
      throw UserInputErrors.single(UserErrorCode.TAKEN, ['input', 'name'], 'name is already used by an active sibling department');
    }
    throw error;
  }
}

export async function createDepartment(context: RequestContext, input: DepartmentCreateInput): Promise<Department> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  const { name } = validateInput(nameSchema, { name: input.name });
  return withSiblingNameCheck(() =>
    inTransaction(context, async (transaction) => {
      const parent = input.parentId ? await departmentForChange(transaction, input.parentId, ['input', 'parentId']) : null;
      if (parent) refuseArchived(parent, ['input', 'parentId']);
      const requestedTenantId = input.tenantId ?? parent?.tenant.id ?? transaction.actor.tenantId;
      if (!requestedTenantId) {
        throw UserInputErrors.single(UserErrorCode.BLANK, ['input', 'tenantId'], 'tenantId is required for a top-level department created by the operator');
      }
      const tenant = await lockTenantForChange(transaction, requestedTenantId, ['input', 'tenantId']);
      if (parent && parent.tenant.id !== tenant.id) {
        throw UserInputErrors.single(UserErrorCode.INVALID, ['input', 'parentId'], 'parentId belongs to another tenant than tenantId');
      }
      const department = transaction.em.create(Department, { tenant, parent, name });
      await recordAudit(transaction, { tenantId: tenant.id, action: 'department.create', targetId: department.id, after: auditView(department) });
      return department;
    }),
  );
}

export async function updateDepartment(context: RequestContext, input: DepartmentUpdateInput): Promise<Department> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  const { name } = validateInput(nameSchema, { name: input.name });
  return withSiblingNameCheck(() =>
    inTransaction(context, async (transaction) => {
      const department = await departmentForChange(transaction, input.departmentId, ['input', 'departmentId']);
      refuseArchived(department, ['input', 'departmentId']);
      const before = auditView(department);
      department.name = name;
      await recordAudit(transaction, {
        tenantId: department.tenant.id,
        action: 'department.update',
        targetId: department.id,
        before,
        after: auditView(department),
      });
      return department;
    }),
  );
}

export async function moveDepartment(context: RequestContext, input: DepartmentMoveInput): Promise<Department> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  return withSiblingNameCheck(() =>
    inTransaction(context, async (transaction) => {
      const department = await departmentForChange(transaction, input.departmentId, ['input', 'departmentId']);
      refuseArchived(department, ['input', 'departmentId']);
      // One tree change per tenant at a time: two concurrent moves could otherwise build a cycle together.
      await lockTenantForChange(transaction, department.tenant.id, ['input', 'departmentId']);
      const newParent = input.newParentId ? await departmentForChange(transaction, input.newParentId, ['input', 'newParentId']) : null;
      if (newParent) {
        refuseArchived(newParent, ['input', 'newParentId']);
        if (newParent.tenant.id !== department.tenant.id) {
          throw UserInputErrors.single(UserErrorCode.NOT_FOUND, ['input', 'newParentId'], 'newParentId names no department of this tenant');
        }
        if (await isDescendantOrSelf(transaction.em, newParent.id, department.id)) {
          throw UserInputErrors.single(
            UserErrorCode.CYCLE,
            ['input', 'newParentId'],
            'newParentId is the department itself or one of its descendants; the move would make a cycle',
          );
        }
      }
      const before = auditView(department);
      department.parent = newParent;
      await recordAudit(transaction, {
        tenantId: department.tenant.id,
        action: 'department.move',
        targetId: department.id,
        before,
        after: auditView(department),
      });
      return department;
    }),
  );
}

export async function archiveDepartment(context: RequestContext, input: DepartmentArchiveInput): Promise<Department> {
  requireRole(context.actor, DIRECTORY_WRITERS);
  return inTransaction(context, async (transaction) => {
    const field = ['input', 'departmentId'];
    const department = await departmentForChange(transaction, input.departmentId, field);
    refuseArchived(department, field);
    await lockTenantForChange(transaction, department.tenant.id, field);
    const activeChildren = await transaction.em.count(Department, { parent: department, archivedAt: null });
    if (activeChildren > 0) {
      throw UserInputErrors.single(
        UserErrorCode.HAS_ACTIVE_CHILDREN,
        field,
        `departmentId has ${activeChildren} active child department(s); archive or move them first`,
      );
    }
    const activeKeys = await activeApiKeyCount(transaction.em, department.id);
    if (activeKeys > 0) {
      throw UserInputErrors.single(UserErrorCode.HAS_ACTIVE_API_KEYS, field, `departmentId has ${activeKeys} active API key(s); revoke them first`);
    }
    const before = auditView(department);
    department.archivedAt = transaction.clock.now();
    await recordAudit(transaction, {
      tenantId: department.tenant.id,
      action: 'department.archive',
      targetId: department.id,
      before,
      after: auditView(department),
    });
    return department;
  });
}
