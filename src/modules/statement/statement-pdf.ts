import { decimal, formatAmount } from '../../platform/money.js';
import {
  CJK_FONTS,
  cjkDocument,
  collectPdfOutput,
  contentWidth,
  drawPageFooters,
  drawTable,
  formatInstant,
  PDF_COLOR,
  PDF_FOOTER_OFFSET,
  PDF_MARGIN,
  PDF_SIZE,
  type PdfTableColumn,
} from '../../platform/pdf.js';
import { periodOfDate } from '../../platform/period.js';
import { BalanceEntryType, type BalanceEntry } from '../balance/balance.entity.js';
import type { Bill, Payment } from '../bill/bill.entity.js';
import type { VatInvoice } from '../invoice/invoice.entity.js';
import { statementFigures, type Statement, type StatementFigure, type StatementUsageRow } from './statement.service.js';

const ENTRY_TYPE_LABEL: Record<BalanceEntryType, string> = {
  TOP_UP: '充值 Top-up',
  REDEMPTION: '兑换 Voucher',
  USAGE: '用量 Usage',
  ADJUSTMENT: '调整 Adjustment',
  REFUND: '退款 Refund',
};

/** Renders a statement of account as an A4 PDF, bilingual (Chinese and English): the figures, then every document behind them. */
export async function renderStatementPdf(statement: Statement): Promise<Buffer> {
  const { tenant, period, currency, balance, receivable, invoices } = statement;
  const timezone = tenant.timezone;
  const money = (amount: string) => formatAmount(decimal(amount), currency);
  const at = (instant: Date | null | undefined) => (instant ? formatInstant(instant, timezone) : '');
  const title = `对账单 Statement of account ${period}`;
  const doc = await cjkDocument({
    size: 'A4',
    margins: PDF_MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    // Fixed dates (the month's end) make the same statement render to the same bytes.
    info: { Title: title, Subject: tenant.name, CreationDate: statement.to, ModDate: statement.to },
  });
  const output = collectPdfOutput(doc);
  const left = doc.page.margins.left;
  doc.fillColor(PDF_COLOR.text).font(CJK_FONTS.bold).fontSize(PDF_SIZE.title).text('对账单 Statement of account', left, doc.page.margins.top);
  doc.font(CJK_FONTS.regular).fontSize(PDF_SIZE.body).fillColor(PDF_COLOR.muted);
  doc.text(`客户 Customer: ${tenant.name}    账期 Period: ${period}    币种 Currency: ${currency}`, left, doc.y + 8, { width: contentWidth(doc) });
  doc.text(`期间 From ${at(statement.from)} to ${at(statement.to)}`, left, doc.y + 2, { width: contentWidth(doc) });
  doc.fillColor(PDF_COLOR.text);

  const section = async <Row>(heading: string, columns: PdfTableColumn<Row>[], rows: readonly Row[], top: number) => {
    if (top + 60 > doc.page.height - doc.page.margins.bottom) {
      doc.addPage();
      top = doc.page.margins.top;
    }
    doc.font(CJK_FONTS.bold).fontSize(PDF_SIZE.heading).fillColor(PDF_COLOR.accent).text(heading, left, top);
    doc.fillColor(PDF_COLOR.text);
    return drawTable(doc, columns, rows, doc.y + 4, { empty: '本期无 None this month' });
  };
  // Column widths add up to the A4 width inside the margins (507 pt).
  let y = await section<StatementFigure>(
    '汇总 Summary',
    [
      { heading: ['项目', 'Figure'], width: 287, align: 'left', value: (figure) => figure.label.join(' ') },
      { heading: ['单据数', 'Documents'], width: 80, align: 'right', value: (figure) => (figure.documents === null ? '' : String(figure.documents)) },
      { heading: ['金额', 'Amount'], width: 140, align: 'right', value: (figure) => formatAmount(figure.amount, currency) },
    ],
    statementFigures(statement),
    doc.y + 14,
  );
  y = await section<BalanceEntry>(
    '预付余额明细 Ledger entries',
    [
      { heading: ['记账时间', 'Booked'], width: 120, align: 'left', value: (entry) => at(entry.createdAt) },
      { heading: ['类型', 'Type'], width: 80, align: 'left', value: (entry) => ENTRY_TYPE_LABEL[entry.type] },
      { heading: ['金额', 'Amount'], width: 100, align: 'right', value: (entry) => money(entry.amount) },
      { heading: ['余额', 'Balance after'], width: 100, align: 'right', value: (entry) => money(entry.balanceAfter) },
      { heading: ['摘要', 'Reference'], width: 107, align: 'left', value: (entry) => entry.reference ?? entry.reason ?? '' },
    ],
    balance.entries,
    y + 16,
  );
  y = await section<{ bill: Bill; movement: string }>(
    '账单 Bills',
    [
      { heading: ['账单编号', 'Number'], width: 130, align: 'left', value: ({ bill }) => bill.number ?? bill.id },
      { heading: ['账期', 'Period'], width: 70, align: 'left', value: ({ bill }) => periodOfDate(bill.periodStart) },
      { heading: ['变动', 'Movement'], width: 80, align: 'left', value: ({ movement }) => movement },
      { heading: ['时间', 'At'], width: 127, align: 'left', value: ({ bill, movement }) => at(movement === '作废 Voided' ? bill.voidedAt : bill.finalizedAt) },
      { heading: ['价税合计', 'Gross'], width: 100, align: 'right', value: ({ bill }) => money(bill.grossTotal) },
    ],
    [
      ...receivable.billed.documents.map((bill) => ({ bill, movement: '出账 Billed' })),
      ...receivable.voided.documents.map((bill) => ({ bill, movement: '作废 Voided' })),
    ],
    y + 16,
  );
  y = await section<Payment>(
    '收款 Payments',
    [
      { heading: ['收款时间', 'Received'], width: 127, align: 'left', value: (payment) => at(payment.receivedAt) },
      { heading: ['方式', 'Method'], width: 90, align: 'left', value: (payment) => payment.method },
      { heading: ['账单', 'Bill'], width: 190, align: 'left', value: (payment) => payment.billId },
      { heading: ['金额', 'Amount'], width: 100, align: 'right', value: (payment) => money(payment.amount) },
    ],
    receivable.paid.documents,
    y + 16,
  );
  y = await section<StatementUsageRow>(
    '用量 Usage by department and model',
    [
      { heading: ['部门', 'Department'], width: 167, align: 'left', value: (row) => row.departmentName },
      { heading: ['模型', 'Model'], width: 140, align: 'left', value: (row) => row.model },
      { heading: ['请求数', 'Requests'], width: 80, align: 'right', value: (row) => String(row.requestCount) },
      { heading: ['金额', 'Charged'], width: 120, align: 'right', value: (row) => money(row.charged) },
    ],
    statement.usage,
    y + 16,
  );
  await section<VatInvoice>(
    '发票 VAT invoices',
    [
      { heading: ['发票号码', 'Number'], width: 167, align: 'left', value: (invoice) => invoice.number },
      { heading: ['类型', 'Kind'], width: 100, align: 'left', value: (invoice) => (invoice.isRedLetter ? '红字 Red-letter' : '蓝字 Issued') },
      { heading: ['开具时间', 'Issued'], width: 140, align: 'left', value: (invoice) => at(invoice.issuedAt) },
      { heading: ['价税合计', 'Gross'], width: 100, align: 'right', value: (invoice) => money(invoice.grossTotal) },
    ],
    [...invoices.issued.documents, ...invoices.reversed.documents],
    y + 16,
  );
  drawPageFooters(doc, { label: `${title} ${tenant.name}`, font: CJK_FONTS.regular, size: PDF_SIZE.small, color: PDF_COLOR.muted, offset: PDF_FOOTER_OFFSET });
  doc.end();
  return output;
}
