import { decimal } from '../../platform/money.js';
import { tableOfRows, type Column, type Table } from '../../platform/tables.js';
import { periodOfDate } from '../../platform/period.js';
import { statementFigures, type Statement } from './statement.service.js';

/**
 * A statement of account as the sheets of one workbook (platform/tables.ts): the figures, then the
 * documents behind them (ledger entries, bills, payments, invoices) and the usage. Columns are named
 * as the GraphQL fields they hold; ledger amounts are exact (text), document amounts to the fen.
 */
export function statementTables(statement: Statement): Table<unknown>[] {
  const { balance, receivable, invoices, currency } = statement;
  const table = <Row>(sheet: string, columns: Column<Row>[], rows: Row[]) => tableOfRows(sheet, columns, rows) as Table<unknown>;
  const instant = (value: Date | null | undefined) => value?.toISOString() ?? null;
  return [
    table(
      'statement',
      [
        { name: 'tenant.id', value: () => statement.tenant.id },
        { name: 'tenant.name', value: () => statement.tenant.name },
        { name: 'period', value: () => statement.period },
        { name: 'figure', value: (row) => row.key },
        { name: 'amount', kind: 'exact', value: (row) => row.amount.toFixed() },
        { name: 'currency', value: () => currency },
        { name: 'documents', kind: 'integer', value: (row) => row.documents },
      ],
      statementFigures(statement),
    ),
    table(
      'ledger',
      [
        { name: 'id', value: (entry) => entry.id },
        { name: 'type', value: (entry) => entry.type },
        { name: 'amount.amount', kind: 'exact', value: (entry) => decimal(entry.amount).toFixed() },
        { name: 'balanceAfter.amount', kind: 'exact', value: (entry) => decimal(entry.balanceAfter).toFixed() },
        { name: 'reference', value: (entry) => entry.reference },
        { name: 'reason', value: (entry) => entry.reason },
        { name: 'createdAt', value: (entry) => instant(entry.createdAt) },
      ],
      balance.entries,
    ),
    table(
      'bills',
      [
        { name: 'id', value: (row) => row.bill.id },
        { name: 'number', value: (row) => row.bill.number },
        { name: 'period', value: (row) => periodOfDate(row.bill.periodStart) },
        { name: 'movement', value: (row) => row.movement },
        { name: 'total.gross.amount', kind: 'money', value: (row) => row.bill.grossTotal },
        { name: 'finalizedAt', value: (row) => instant(row.bill.finalizedAt) },
        { name: 'voidedAt', value: (row) => instant(row.bill.voidedAt) },
      ],
      [
        ...receivable.billed.documents.map((bill) => ({ bill, movement: 'BILLED' })),
        ...receivable.voided.documents.map((bill) => ({ bill, movement: 'VOIDED' })),
      ],
    ),
    table(
      'payments',
      [
        { name: 'id', value: (payment) => payment.id },
        { name: 'bill.id', value: (payment) => payment.billId },
        { name: 'method', value: (payment) => payment.method },
        { name: 'amount.amount', kind: 'money', value: (payment) => payment.amount },
        { name: 'reference', value: (payment) => payment.reference },
        { name: 'receivedAt', value: (payment) => instant(payment.receivedAt) },
      ],
      receivable.paid.documents,
    ),
    table(
      'usage',
      [
        { name: 'departmentId', value: (row) => row.departmentId },
        { name: 'departmentName', value: (row) => row.departmentName },
        { name: 'model', value: (row) => row.model },
        { name: 'requestCount', kind: 'integer', value: (row) => row.requestCount },
        { name: 'charged.amount', kind: 'exact', value: (row) => decimal(row.charged).toFixed() },
      ],
      statement.usage,
    ),
    table(
      'invoices',
      [
        { name: 'id', value: (invoice) => invoice.id },
        { name: 'number', value: (invoice) => invoice.number },
        { name: 'isRedLetter', value: (invoice) => String(invoice.isRedLetter) },
        { name: 'bill.id', value: (invoice) => invoice.billId },
        { name: 'total.gross.amount', kind: 'money', value: (invoice) => invoice.grossTotal },
        { name: 'issuedAt', value: (invoice) => instant(invoice.issuedAt) },
      ],
      [...invoices.issued.documents, ...invoices.reversed.documents],
    ),
  ];
}
