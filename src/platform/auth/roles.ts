export enum Role {
  PLATFORM_ADMIN = 'PLATFORM_ADMIN',
  TENANT_ADMIN = 'TENANT_ADMIN',
  TENANT_FINANCE = 'TENANT_FINANCE',
  TENANT_VIEWER = 'TENANT_VIEWER',
  GATEWAY = 'GATEWAY',
  ERP = 'ERP',
}

/** Roles that always belong to exactly one tenant. */
export const TENANT_ROLES: readonly Role[] = [Role.TENANT_ADMIN, Role.TENANT_FINANCE, Role.TENANT_VIEWER];
/** Roles that never belong to a tenant. ERP may be either: the operator's ERP or one tenant's. */
export const PLATFORM_ROLES: readonly Role[] = [Role.PLATFORM_ADMIN, Role.GATEWAY];

/** Who may read a tenant's directory (tenant, departments, keys, metadata). */
export const DIRECTORY_READERS = [Role.PLATFORM_ADMIN, ...TENANT_ROLES, Role.ERP];
/** Who may change a tenant's directory. */
export const DIRECTORY_WRITERS = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
export const ADMINS = [Role.PLATFORM_ADMIN, Role.TENANT_ADMIN];
