import { useEffect, useState } from 'react';
import type { Api } from './api';
import { ConsoleDirectoryDocument, type SpendScopeInput, type SpendScopeType } from './generated/graphql';

/** A scope spend is counted on, with its name and place in the tree. */
export interface ScopeEntry {
  type: SpendScopeType;
  id: string;
  name: string;
  depth: number;
  input: SpendScopeInput;
}

/** The tenant, its departments in tree order, then its keys under their departments: every scope, named. */
export function useScopes(api: Api, tenantId: string): { scopes: ScopeEntry[]; names: Map<string, string>; currency: string } | null {
  const [directory, setDirectory] = useState<{ scopes: ScopeEntry[]; names: Map<string, string>; currency: string } | null>(null);
  useEffect(() => {
    let isCurrent = true;
    void api.request(ConsoleDirectoryDocument, { tenantId }).then(({ tenant }) => {
      if (!tenant) return; // gone, or not the caller's: nothing to show
      const departments = tenant.departments.nodes;
      const children = (parentId: string | null) => departments.filter((department) => (department.parent?.id ?? null) === parentId);
      const scopes: ScopeEntry[] = [{ type: 'TENANT', id: tenant.id, name: tenant.name, depth: 0, input: { tenantId: tenant.id } }];
      const walk = (parentId: string | null, depth: number) => {
        for (const department of children(parentId)) {
          scopes.push({ type: 'DEPARTMENT', id: department.id, name: department.name, depth, input: { departmentId: department.id } });
          walk(department.id, depth + 1);
        }
      };
      walk(null, 1);
      for (const key of tenant.apiKeys.nodes) {
        const department = scopes.find((scope) => scope.id === key.department.id);
        scopes.push({ type: 'API_KEY', id: key.id, name: `${key.name} · ${department?.name ?? ''}`, depth: 1, input: { apiKeyId: key.id } });
      }
      if (isCurrent) setDirectory({ scopes, names: new Map(scopes.map((scope) => [scope.id, scope.name])), currency: tenant.billingCurrency });
    });
    return () => {
      isCurrent = false;
    };
  }, [api, tenantId]);
  return directory;
}
