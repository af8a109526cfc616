import type express from 'express';
import { GraphQLError } from 'graphql';
import type { RequestContext } from './context.js';
import { billJson, billPdf, loadBillExport } from './modules/bill/bill-export.js';
import { billLinesTable, billsTable, paymentsTable, type BillScope } from './modules/bill/bill-tables.js';
import { invoicePdf, invoiceXml, loadInvoiceExport } from './modules/invoice/invoice-export.js';
import { invoiceJson } from './modules/invoice/invoice-json.js';
import { invoiceLinesTable, invoicesTable } from './modules/invoice/invoice-tables.js';
import { usageReportTable, type UsageReportRequest } from './modules/usage/usage-tables.js';
import { statementOf } from './modules/statement/statement.service.js';
import { statementTables } from './modules/statement/statement-tables.js';
import { renderStatementPdf } from './modules/statement/statement-pdf.js';
import { UsageGroupBy } from './modules/usage/usage.types.js';
import { requireRole, tenantScope } from './platform/auth/actor.js';
import { BALANCE_LEDGER_READERS, MONEY_DOCUMENT_READERS, SPEND_READERS, type Role } from './platform/auth/roles.js';
import { BadInputError, ForbiddenError, NotFoundError } from './platform/errors.js';
import { rateLimitedError } from './platform/graphql/admission.js';
import { isIdOf } from './platform/ids.js';
import type { Logger } from './platform/logger.js';
import { noteErrorCode, requestFacts } from './platform/http/request-facts.js';
import { periodInput } from './platform/period.js';
import type { ConcurrencyLimit, CostBuckets } from './platform/rate-limits.js';
import { writeCsv, writeXlsx, type Table, type TextEncoding } from './platform/tables.js';
import { UserInputErrors } from './platform/user-errors.js';

/**
 * Downloads for ERP and people: a bill or invoice as a document, the money tables (bills, bill
 * lines, invoices, invoice lines, payments) of one bill or a whole period as CSV or XLSX, and a
 * usage report (usageSummary) as CSV or XLSX. Each opens with a bearer token, or as a signed link
 * from the API (platform/export-links.ts), with the visibility of the token either way: 404 for
 * what the caller cannot see, 403 for a role that reads no money documents (no usage summaries,
 * for the report).
 */
export interface ExportServices {
  /** The caller: from the Authorization header, or from the link's signature. */
  contextFor(request: express.Request): Promise<RequestContext>;
  costBuckets: CostBuckets;
  renders: ConcurrencyLimit;
  renderLimits: { perToken: number; perProcess: number };
  logger: Logger;
}

/** Points an export takes from the caller's bucket: a document or a period's tables is worth a large query, one bill's data a small one. */
const EXPORT_COST = { large: 500, small: 50 } as const;

/** The tables a period or bill export offers, by the name in its URL. */
const TABLES = {
  bills: billsTable,
  'bill-lines': billLinesTable,
  payments: paymentsTable,
  invoices: invoicesTable,
  'invoice-lines': invoiceLinesTable,
} satisfies Record<string, (context: RequestContext, scope: BillScope) => unknown>;

export type TableName = keyof typeof TABLES;
export const TABLE_NAMES = Object.keys(TABLES) as TableName[];

const CONTENT_TYPES = {
  csv: 'text/csv; charset=utf-8',
  'csv-gbk': 'text/csv; charset=gbk',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  json: 'application/json; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  pdf: 'application/pdf',
} as const;

/** A refusal of the request itself, before anything is written: 400 naming the parameter. */
class BadExportRequest extends Error {
  constructor(
    readonly parameter: string,
    message: string,
  ) {
    super(message);
  }
}

interface Download {
  cost: number;
  fileName: string;
  contentType: string;
  /** Writes the file; false when there is nothing the caller can see (404). */
  write(context: RequestContext, response: express.Response): Promise<boolean>;
}

export function mountExports(app: express.Express, services: ExportServices): void {
  const { costBuckets, renders, renderLimits, logger } = services;

  async function serve(
    request: express.Request,
    response: express.Response,
    what: string,
    plan: (context: RequestContext) => Download,
    readers: readonly Role[] = MONEY_DOCUMENT_READERS,
  ): Promise<void> {
    let release: (() => void) | undefined;
    try {
      const context = await services.contextFor(request);
      requireRole(context.actor, readers);
      const download = plan(context);
      const charge = costBuckets.take(context.actor, download.cost);
      if (!charge.allowed)
        throw rateLimitedError(
          `This export costs ${download.cost} points and ${charge.status.currentlyAvailable} are available. Retry after ${charge.retryAfterSeconds} s.`,
          charge.retryAfterSeconds,
        );
      release = renders.tryAcquire(context.actor.tokenId);
      if (!release)
        throw rateLimitedError(
          `At most ${renderLimits.perToken} exports per token run at once, and ${renderLimits.perProcess} per server. Retry after 1 s.`,
          1,
        );
      response.setHeader('Content-Disposition', `attachment; filename="${download.fileName}"`);
      response.type(download.contentType);
      if (!(await download.write(context, response))) {
        response.removeHeader('Content-Disposition');
        noteErrorCode(requestFacts(request), 'NOT_FOUND');
        response.status(404).json({ error: { code: 'NOT_FOUND', message: `No ${what}.` } });
      }
    } catch (error) {
      const refuse = (status: number, code: unknown, body: object) => {
        noteErrorCode(requestFacts(request), code);
        response.removeHeader('Content-Disposition');
        response.status(status).json({ error: { code, ...body } });
      };
      if (response.headersSent) {
        noteErrorCode(requestFacts(request), 'INTERNAL_SERVER_ERROR');
        logger.error({ err: error, path: request.path }, 'export failed while streaming');
        response.destroy(error as Error);
      } else if (error instanceof BadExportRequest) {
        refuse(400, 'BAD_USER_INPUT', { field: error.parameter, message: error.message });
      } else if (error instanceof BadInputError) {
        refuse(400, 'BAD_USER_INPUT', { field: error.field.join('.'), message: error.message });
      } else if (error instanceof UserInputErrors) {
        refuse(400, 'BAD_USER_INPUT', { field: error.errors[0].field?.join('.') ?? null, message: error.message });
      } else if (error instanceof NotFoundError) {
        refuse(404, 'NOT_FOUND', { message: `No ${what}.` });
      } else if (error instanceof GraphQLError && typeof error.extensions.http === 'object') {
        const http = error.extensions.http as { status?: number; headers?: Map<string, string> };
        for (const [name, value] of http.headers ?? []) response.setHeader(name, value);
        refuse(error.extensions.code === 'UNAUTHENTICATED' ? 401 : (http.status ?? 400), error.extensions.code, { message: error.message });
      } else if (error instanceof ForbiddenError) {
        refuse(403, error.code, { message: error.message });
      } else {
        logger.error({ err: error, path: request.path }, 'export failed');
        refuse(500, 'INTERNAL_SERVER_ERROR', { message: 'The export failed.' });
      }
    } finally {
      release?.();
    }
  }

  /** Renders a whole document in memory (a bill or invoice is small), then sends it. */
  const document =
    <Data>(load: (context: RequestContext) => Promise<Data | null>, render: (data: Data) => unknown) =>
    async (context: RequestContext, response: express.Response) => {
      const data = await load(context);
      if (!data) return false;
      const content = await render(data);
      response.send(Buffer.isBuffer(content) || typeof content === 'string' ? content : JSON.stringify(content));
      return true;
    };

  app.get(/^\/exports\/bills\/(bil_[0-9A-Z]{26})\.(csv|xlsx|json|pdf)$/, (request, response) => {
    const [billId, format] = [request.params[0], request.params[1]] as [string, 'csv' | 'xlsx' | 'json' | 'pdf'];
    return serve(request, response, `bill with id "${billId}"`, () => {
      const scope = { billId };
      if (format === 'csv' || format === 'xlsx') {
        const encoding = textEncoding(request, format);
        return {
          cost: EXPORT_COST.small,
          fileName: `bill-${billId}${encoding === 'gbk' ? '-gbk' : ''}.${format}`,
          contentType: CONTENT_TYPES[encoding === 'gbk' ? 'csv-gbk' : format],
          write: async (context, out) => {
            if (!(await isVisibleBill(context, billId))) return false;
            // One bill as CSV is its lines; as XLSX, every table of it, a sheet each.
            if (format === 'csv') await writeCsv(out, billLinesTable(context, scope), encoding);
            else
              await writeXlsx(
                out,
                TABLE_NAMES.map((name) => TABLES[name](context, scope) as Table<unknown>),
              );
            return true;
          },
        };
      }
      return {
        cost: format === 'pdf' ? EXPORT_COST.large : EXPORT_COST.small,
        fileName: `bill-${billId}.${format}`,
        contentType: CONTENT_TYPES[format],
        write: document((context) => loadBillExport(context, billId), format === 'pdf' ? billPdf : billJson),
      };
    });
  });

  app.get(/^\/exports\/invoices\/(inv_[0-9A-Z]{26})\.(pdf|json|xml)$/, (request, response) => {
    const [invoiceId, format] = [request.params[0], request.params[1]] as [string, 'pdf' | 'json' | 'xml'];
    const render = { pdf: invoicePdf, json: invoiceJson, xml: invoiceXml }[format];
    return serve(request, response, `VAT invoice with id "${invoiceId}"`, () => ({
      cost: format === 'pdf' ? EXPORT_COST.large : EXPORT_COST.small,
      fileName: `fapiao-${invoiceId}.${format}`,
      contentType: CONTENT_TYPES[format],
      write: document((context) => loadInvoiceExport(context, invoiceId), render as (data: unknown) => unknown),
    }));
  });

  app.get(/^\/exports\/(bills|bill-lines|payments|invoices|invoice-lines)\.(csv|xlsx)$/, (request, response) => {
    const [name, format] = [request.params[0], request.params[1]] as [TableName, 'csv' | 'xlsx'];
    return serve(request, response, `period to export`, (context) => {
      const scope = periodScope(context, request);
      const encoding = textEncoding(request, format);
      return {
        cost: EXPORT_COST.large,
        fileName: `${name}-${scope.period}${scope.tenantId ? `-${scope.tenantId}` : ''}${encoding === 'gbk' ? '-gbk' : ''}.${format}`,
        contentType: CONTENT_TYPES[encoding === 'gbk' ? 'csv-gbk' : format],
        write: async (context, out) => {
          const table = TABLES[name](context, scope) as Table<unknown>;
          if (format === 'csv') await writeCsv(out, table, encoding);
          else await writeXlsx(out, [table]);
          return true;
        },
      };
    });
  });

  // A statement of account as a workbook or a PDF, for whoever reads the ledger it sums.
  app.get(/^\/exports\/statements\/(ten_[0-9A-Z]{26})\/([^/]+)\.(xlsx|pdf)$/, (request, response) => {
    const [tenantId, period, format] = [request.params[0], request.params[1], request.params[2]] as [string, string, 'xlsx' | 'pdf'];
    return serve(
      request,
      response,
      `tenant with id "${tenantId}"`,
      () => ({
        cost: EXPORT_COST.large,
        fileName: `statement-${tenantId}-${period}.${format}`,
        contentType: CONTENT_TYPES[format],
        write: async (context, out) => {
          const statement = await statementOf(context, tenantId, period);
          if (format === 'pdf') out.send(await renderStatementPdf(statement));
          else await writeXlsx(out, statementTables(statement));
          return true;
        },
      }),
      BALANCE_LEDGER_READERS,
    );
  });

  // A usage report (usageSummary) as a file, for whoever reads usage summaries.
  app.get(/^\/exports\/usage-summary\.(csv|xlsx)$/, (request, response) => {
    const format = request.params[0] as 'csv' | 'xlsx';
    return serve(
      request,
      response,
      'usage to report',
      () => {
        const report = usageReportRequest(request);
        const encoding = textEncoding(request, format);
        return {
          cost: EXPORT_COST.large,
          fileName: `usage-summary${encoding === 'gbk' ? '-gbk' : ''}.${format}`,
          contentType: CONTENT_TYPES[encoding === 'gbk' ? 'csv-gbk' : format],
          write: async (context, out) => {
            const table = (await usageReportTable(context, report)) as Table<unknown>;
            if (format === 'csv') await writeCsv(out, table, encoding);
            else await writeXlsx(out, [table]);
            return true;
          },
        };
      },
      SPEND_READERS,
    );
  });
}

/**
 * `?tenantId=|departmentId=|apiKeyId=&from=&to=&groupBy=MODEL,MONTH[&rollUpDepartments=true]`:
 * usageSummary's arguments, the instants in ISO 8601.
 */
function usageReportRequest(request: express.Request): UsageReportRequest {
  const text = (name: string): string | undefined => {
    const value = request.query[name];
    if (value !== undefined && typeof value !== 'string') throw new BadExportRequest(name, `${name} must be given once`);
    return value;
  };
  const scopes = (['tenantId', 'departmentId', 'apiKeyId'] as const).filter((name) => text(name) !== undefined);
  if (scopes.length !== 1) throw new BadExportRequest('tenantId', 'give exactly one of tenantId, departmentId or apiKeyId: the scope to report');
  const instant = (name: 'from' | 'to') => {
    const value = text(name);
    const parsed = value && /^\d{4}-\d\d-\d\dT[\d:.]+(Z|[+-]\d\d:\d\d)$/.test(value) ? new Date(value) : null;
    if (!parsed || Number.isNaN(parsed.getTime())) throw new BadExportRequest(name, `${name} must be an instant in ISO 8601, e.g. "2026-10-01T00:00:00+08:00"`);
    return parsed;
  };
  const groupBy = (text('groupBy') ?? '').split(',').filter(Boolean);
  const unknown = groupBy.find((dimension) => !(dimension in UsageGroupBy));
  if (unknown) throw new BadExportRequest('groupBy', `groupBy must list dimensions among ${Object.values(UsageGroupBy).join(', ')}, not "${unknown}"`);
  const rollUp = text('rollUpDepartments') ?? 'false';
  if (rollUp !== 'true' && rollUp !== 'false') throw new BadExportRequest('rollUpDepartments', 'rollUpDepartments must be true or false');
  return {
    scope: { [scopes[0]]: text(scopes[0]) },
    from: instant('from'),
    to: instant('to'),
    groupBy: groupBy as UsageGroupBy[],
    rollUpDepartments: rollUp === 'true',
  };
}

/** `?encoding=gbk` asks for GBK CSV (no BOM); UTF-8 with a BOM otherwise. */
function textEncoding(request: express.Request, format: string): TextEncoding {
  const encoding = request.query.encoding ?? 'utf-8';
  if (encoding !== 'utf-8' && encoding !== 'gbk')
    throw new BadExportRequest('encoding', 'encoding must be "utf-8" (the default, with a byte-order mark) or "gbk"');
  if (encoding === 'gbk' && format !== 'csv') throw new BadExportRequest('encoding', 'encoding applies to CSV only; XLSX is always Unicode');
  return encoding;
}

/** `?period=2026-10[&tenantId=ten_...]`: every bill of the period the caller can see (a tenant's users see their own). */
function periodScope(context: RequestContext, request: express.Request): BillScope & { period: string } {
  const { period, tenantId } = request.query;
  const parsed = periodInput.safeParse(period);
  if (typeof period !== 'string' || !parsed.success) throw new BadExportRequest('period', 'period must be a month written YYYY-MM, e.g. "2026-10"');
  if (tenantId !== undefined && (typeof tenantId !== 'string' || !isIdOf('Tenant', tenantId)))
    throw new BadExportRequest('tenantId', 'tenantId must be a Tenant id (ten_...)');
  return { period: parsed.data, tenantId: tenantScope(context.actor, tenantId as string | undefined) };
}

async function isVisibleBill(context: RequestContext, billId: string): Promise<boolean> {
  return (await context.loaders.billById.load(billId)) !== null;
}
