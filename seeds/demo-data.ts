import type { EntityManager } from '@mikro-orm/core';
import { Seeder } from '@mikro-orm/seeder';
import { AccessToken } from '../src/modules/access-token/access-token.entity.js';
import { ApiKey, ApiKeyEnvironment } from '../src/modules/api-key/api-key.entity.js';
import { SpendPeriod } from '../src/modules/spend/spend-counter.entity.js';
import { Department } from '../src/modules/department/department.entity.js';
import { Tenant } from '../src/modules/tenant/tenant.entity.js';
import { Role } from '../src/platform/auth/roles.js';
import { CurrencyCode } from '../src/platform/money.js';
import { ACCESS_TOKEN_PREFIX, API_KEY_PREFIXES, displayPrefix, generateSecret, hashSecret } from '../src/platform/secrets.js';

/**
 * Demo data for portal teams: two tenants with nested departments, keys and a token of each role.
 * The demo secrets are fixed so they can be printed at every start; they are for local demos only.
 */
export const DEMO_ACCESS_TOKENS = [
  { name: 'Demo operator admin', role: Role.PLATFORM_ADMIN, tenant: null, secret: 'bpat_demo_platform_admin_00000000000000000000000' },
  { name: 'Demo AI gateway', role: Role.GATEWAY, tenant: null, secret: 'bpat_demo_gateway_0000000000000000000000000000000' },
  { name: 'Demo operator ERP', role: Role.ERP, tenant: null, secret: 'bpat_demo_operator_erp_000000000000000000000000000' },
  { name: 'Nebula admin', role: Role.TENANT_ADMIN, tenant: 'nebula', secret: 'bpat_demo_nebula_admin_0000000000000000000000000000' },
  { name: 'Nebula finance', role: Role.TENANT_FINANCE, tenant: 'nebula', secret: 'bpat_demo_nebula_finance_00000000000000000000000000' },
  { name: 'Nebula viewer', role: Role.TENANT_VIEWER, tenant: 'nebula', secret: 'bpat_demo_nebula_viewer_000000000000000000000000000' },
  { name: 'Nebula ERP', role: Role.ERP, tenant: 'nebula', secret: 'bpat_demo_nebula_erp_000000000000000000000000000000' },
  { name: 'Northwind admin', role: Role.TENANT_ADMIN, tenant: 'northwind', secret: 'bpat_demo_northwind_admin_000000000000000000000000' },
] as const;

export const DEMO_API_KEY_SECRET = 'sk-test-demo0000000000000000000000000000000000000';

export class DemoDataSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    const nebula = em.create(Tenant, {
      name: '星云智能科技有限公司',
      timezone: 'Asia/Shanghai',
      billingCurrency: CurrencyCode.CNY,
      buyerTaxProfile: {
        legalName: '星云智能科技有限公司',
        taxpayerId: '91310115MA1K4XYN0L',
        address: '上海市浦东新区张江路 88 号',
        phone: '021-5080 8888',
        bankName: '招商银行上海张江支行',
        bankAccount: '121908888810001',
      },
    });
    const northwind = em.create(Tenant, { name: 'Northwind Analytics Ltd', timezone: 'Europe/London', billingCurrency: CurrencyCode.USD });

    const department = (tenant: Tenant, name: string, parent: Department | null = null) => em.create(Department, { tenant, parent, name });
    const research = department(nebula, '研发中心');
    const platform = department(nebula, '大模型平台组', research);
    const support = department(nebula, '智能客服组', research);
    const marketing = department(nebula, '市场部');
    const engineering = department(northwind, 'Engineering');
    const dataScience = department(northwind, 'Data Science', engineering);
    const customerCare = department(northwind, 'Customer Care');

    const key = (owner: Department, name: string, environment: ApiKeyEnvironment, extra: Partial<ApiKey> = {}, secret = generateSecret(API_KEY_PREFIXES[environment])) =>
      em.create(ApiKey, {
        tenant: owner.tenant,
        department: owner,
        name,
        environment,
        secretHash: hashSecret(secret),
        secretPrefix: displayPrefix(secret, API_KEY_PREFIXES[environment]),
        ...extra,
      });
    key(platform, 'model-playground', ApiKeyEnvironment.TEST, {}, DEMO_API_KEY_SECRET);
    key(platform, 'agent-platform', ApiKeyEnvironment.PRODUCTION, { spendLimitAmount: '20000.00', spendLimitPeriod: SpendPeriod.MONTHLY });
    key(support, 'customer-service-bot', ApiKeyEnvironment.PRODUCTION, { allowedModels: ['deepseek-chat', 'qwen-plus'] });
    key(marketing, 'copywriter', ApiKeyEnvironment.PRODUCTION, { allowedModels: ['gpt-4o', 'claude-sonnet-4'] });
    key(dataScience, 'notebooks', ApiKeyEnvironment.PRODUCTION, { spendLimitAmount: '1500.00', spendLimitPeriod: SpendPeriod.MONTHLY });
    key(customerCare, 'helpdesk-assistant', ApiKeyEnvironment.PRODUCTION);

    const tenants = { nebula, northwind };
    for (const token of DEMO_ACCESS_TOKENS) {
      em.create(AccessToken, {
        name: token.name,
        role: token.role,
        tenant: token.tenant ? tenants[token.tenant] : null,
        secretHash: hashSecret(token.secret),
        secretPrefix: displayPrefix(token.secret, ACCESS_TOKEN_PREFIX),
      });
    }
    await em.flush();
  }
}
