import type { RequestContext } from '../../context.js';
import { tableOfRows, type Column, type Table } from '../../platform/tables.js';
import type { SpendScopeInput } from '../spend/spend.types.js';
import { summarizeUsage } from './usage-report.service.js';
import { UsageGroupBy, type UsageSummaryGroup } from './usage.types.js';

/** What a usage report file holds: usageSummary's arguments. */
export interface UsageReportRequest {
  scope: SpendScopeInput;
  from: Date;
  to: Date;
  groupBy: UsageGroupBy[];
  rollUpDepartments: boolean;
}

/** A group of the report with the names its columns print. */
interface ReportRow {
  group: UsageSummaryGroup;
  departmentName: string | null;
  apiKeyPrefix: string | null;
}

/** The columns of each dimension, named as the UsageSummaryGroup fields they hold. */
const DIMENSION_COLUMNS: Record<UsageGroupBy, Column<ReportRow>[]> = {
  DEPARTMENT: [
    { name: 'department.id', value: (row) => row.group.departmentId },
    { name: 'department.name', value: (row) => row.departmentName },
  ],
  API_KEY: [
    { name: 'apiKey.id', value: (row) => row.group.apiKeyId },
    { name: 'apiKey.secretPrefix', value: (row) => row.apiKeyPrefix },
  ],
  ENVIRONMENT: [{ name: 'environment', value: (row) => row.group.environment }],
  MODEL: [{ name: 'model', value: (row) => row.group.model }],
  TIER: [{ name: 'tier', value: (row) => row.group.tier }],
  KIND: [{ name: 'kind', value: (row) => row.group.kind }],
  END_USER_TAG: [{ name: 'endUserTag', value: (row) => row.group.endUserTag }],
  MONTH: [{ name: 'month', value: (row) => row.group.month }],
  DAY: [{ name: 'day', value: (row) => row.group.day }],
  HOUR: [{ name: 'hour', value: (row) => row.group.hour?.toISOString() }],
};

const TOTAL_COLUMNS: Column<ReportRow>[] = [
  { name: 'requestCount', kind: 'integer', value: (row) => row.group.requestCount },
  { name: 'inputTokens', kind: 'integer', value: (row) => row.group.inputTokens },
  { name: 'outputTokens', kind: 'integer', value: (row) => row.group.outputTokens },
  { name: 'cachedInputTokens', kind: 'integer', value: (row) => row.group.cachedInputTokens },
  { name: 'imageCount', kind: 'integer', value: (row) => row.group.imageCount },
  { name: 'videoSeconds', kind: 'integer', value: (row) => row.group.videoSeconds },
  // Exact, as usageSummary gives it: a spreadsheet number would keep 15 digits.
  { name: 'cost.amount', kind: 'exact', value: (row) => row.group.cost.amount },
  { name: 'cost.currency', value: (row) => row.group.cost.currency },
];

/** usageSummary as a table for CSV and XLSX: a column per dimension asked for (in the order asked), then the totals. */
export async function usageReportTable(context: RequestContext, request: UsageReportRequest): Promise<Table<ReportRow>> {
  const groups = await summarizeUsage(context, request.scope, request.from, request.to, request.groupBy, request.rollUpDepartments);
  const departments = await Promise.all(groups.map((group) => (group.departmentId ? context.loaders.departmentById.load(group.departmentId) : null)));
  const keys = await Promise.all(groups.map((group) => (group.apiKeyId ? context.loaders.apiKeyById.load(group.apiKeyId) : null)));
  const rows = groups.map((group, index) => ({
    group,
    departmentName: departments[index]?.name ?? null,
    apiKeyPrefix: keys[index]?.secretPrefix ?? null,
  }));
  return tableOfRows('usage', [...[...new Set(request.groupBy)].flatMap((dimension) => DIMENSION_COLUMNS[dimension]), ...TOTAL_COLUMNS], rows);
}
