import type { EntityManager } from '@mikro-orm/core';
import { Seeder } from '@mikro-orm/seeder';
import { AccessToken } from '../src/modules/access-token/access-token.entity.js';
import { ApiKey, ApiKeyEnvironment } from '../src/modules/api-key/api-key.entity.js';
import { SpendPeriod } from '../src/modules/spend/spend-counter.entity.js';
import { Department } from '../src/modules/department/department.entity.js';
import { OperatorProfile } from '../src/modules/operator-profile/operator-profile.entity.js';
import { ModelPrice, ModelTier } from '../src/modules/price/model-price.entity.js';
import { Tenant } from '../src/modules/tenant/tenant.entity.js';
import { Role } from '../src/platform/auth/roles.js';
import { CurrencyCode } from '../src/platform/money.js';
import { ID_PREFIXES, type NodeTypeName } from '../src/platform/ids.js';
import { ACCESS_TOKEN_PREFIX, API_KEY_PREFIXES, displayPrefix, generateSecret, hashSecret } from '../src/platform/secrets.js';

/**
 * Demo data for portal teams: the operator's seller profile, three tenants with nested departments,
 * keys, a token of each role and a price book in CNY and USD (a month of their activity follows,
 * made through the API: demo-activity.ts). The third tenant has just signed: no usage, no contract
 * yet (README's examples make one).
 * The demo secrets are fixed so they can be printed at every start; they are for local demos only.
 * So are the directory's ids, so README's example operations can name them.
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

/** Everything in the demo's directory exists from this instant on. */
const DEMO_CREATED_AT = new Date('2026-01-01T00:00:00Z');

/** A fixed id: a ULID of DEMO_CREATED_AT with a readable tail, e.g. dep_01KDVDNA00DEM0DEP000000002. */
function demoId(type: NodeTypeName, number: number): string {
  return `${ID_PREFIXES[type]}_01KDVDNA00DEM0${ID_PREFIXES[type].toUpperCase()}${String(number).padStart(9, '0')}`;
}

/** Demo price book, per million tokens unless named otherwise: [model, tier, CNY rates, USD rates]. */
const DEMO_PRICES: [string, ModelTier, Partial<ModelPrice>, Partial<ModelPrice>][] = [
  [
    'gpt-4o',
    ModelTier.PREMIUM,
    { inputPerMillion: '18.00', outputPerMillion: '72.00', cachedInputPerMillion: '9.00' },
    { inputPerMillion: '2.50', outputPerMillion: '10.00', cachedInputPerMillion: '1.25' },
  ],
  [
    'claude-sonnet-4',
    ModelTier.PREMIUM,
    { inputPerMillion: '22.00', outputPerMillion: '108.00', cachedInputPerMillion: '2.20' },
    { inputPerMillion: '3.00', outputPerMillion: '15.00', cachedInputPerMillion: '0.30' },
  ],
  [
    'deepseek-chat',
    ModelTier.ECONOMY,
    { inputPerMillion: '2.00', outputPerMillion: '8.00', cachedInputPerMillion: '0.50' },
    { inputPerMillion: '0.27', outputPerMillion: '1.10', cachedInputPerMillion: '0.07' },
  ],
  ['qwen-plus', ModelTier.STANDARD, { inputPerMillion: '0.80', outputPerMillion: '2.00' }, { inputPerMillion: '0.11', outputPerMillion: '0.28' }],
  ['text-embedding-3-small', ModelTier.ECONOMY, { inputPerMillion: '0.15' }, { inputPerMillion: '0.02' }],
  ['gpt-image-1', ModelTier.STANDARD, { perImage: '0.29' }, { perImage: '0.04' }],
  ['kling-video', ModelTier.PREMIUM, { perVideoSecond: '0.50' }, { perVideoSecond: '0.07' }],
];

export class DemoDataSeeder extends Seeder {
  async run(em: EntityManager): Promise<void> {
    em.create(OperatorProfile, {
      id: OperatorProfile.ID,
      legalName: '上海智算云服务有限公司',
      taxpayerId: '91330106673959654P',
      address: '上海市浦东新区张江路 100 号',
      phone: '021-5080 0000',
      bankName: '招商银行上海张江支行',
      bankAccount: '121908880010888',
      updatedAt: new Date(),
    });
    const createdAt = DEMO_CREATED_AT;
    const nebula = em.create(Tenant, {
      id: demoId('Tenant', 1),
      externalId: 'KH-0001',
      createdAt,
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
    const northwind = em.create(Tenant, {
      id: demoId('Tenant', 2),
      externalId: 'KH-0002',
      createdAt,
      name: 'Northwind Analytics Ltd',
      timezone: 'Europe/London',
      billingCurrency: CurrencyCode.USD,
    });
    const aurora = em.create(Tenant, {
      id: demoId('Tenant', 3),
      createdAt,
      name: '极光零售有限公司',
      timezone: 'Asia/Shanghai',
      billingCurrency: CurrencyCode.CNY,
      buyerTaxProfile: {
        legalName: '极光零售有限公司',
        taxpayerId: '91440300MA5G8KXR1J',
        address: '深圳市南山区科技园南路 66 号',
        phone: '0755-2660 6666',
        bankName: '招商银行深圳科技园支行',
        bankAccount: '755900012310606',
      },
    });

    let departments = 0;
    const department = (tenant: Tenant, name: string, parent: Department | null = null) =>
      em.create(Department, { id: demoId('Department', ++departments), createdAt, tenant, parent, name });
    const research = department(nebula, '研发中心');
    const platform = department(nebula, '大模型平台组', research);
    const support = department(nebula, '智能客服组', research);
    const marketing = department(nebula, '市场部');
    const engineering = department(northwind, 'Engineering');
    const dataScience = department(northwind, 'Data Science', engineering);
    const customerCare = department(northwind, 'Customer Care');
    const ecommerce = department(aurora, '电商事业部');

    let keys = 0;
    const key = (
      owner: Department,
      name: string,
      environment: ApiKeyEnvironment,
      extra: Partial<ApiKey> = {},
      secret = generateSecret(API_KEY_PREFIXES[environment]),
    ) =>
      em.create(ApiKey, {
        id: demoId('ApiKey', ++keys),
        createdAt,
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
    key(ecommerce, 'shopping-assistant', ApiKeyEnvironment.PRODUCTION);

    for (const [model, tier, cny, usd] of DEMO_PRICES) {
      for (const [currency, rates] of [
        [CurrencyCode.CNY, cny],
        [CurrencyCode.USD, usd],
      ] as const) {
        em.create(ModelPrice, {
          model,
          tier,
          currency,
          inputPerMillion: '0',
          outputPerMillion: '0',
          cachedInputPerMillion: '0',
          perImage: '0',
          perVideoSecond: '0',
          perRequest: '0',
          ...rates,
          effectiveFrom: DEMO_CREATED_AT,
        });
      }
    }

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
