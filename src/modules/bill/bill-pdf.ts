import {
  CJK_FONTS,
  cjkDocument,
  collectPdfOutput,
  contentBottom,
  contentWidth,
  drawPageFooters,
  drawTable,
  formatInstant,
  PDF_COLOR as COLOR,
  PDF_FOOTER_OFFSET as FOOTER_OFFSET,
  PDF_MARGIN as MARGIN,
  PDF_SIZE as SIZE,
  type PdfTableColumn,
} from '../../platform/pdf.js';

/** One row of the statement. Amounts are decimal strings already formatted: printed as given, never computed. */
export interface BillStatementLine {
  description: string;
  quantity: string | null;
  unitPrice: string | null;
  net: string;
  tax: string;
  gross: string;
}

export interface BillStatement {
  number: string;
  period: string;
  status: BillStatementStatus;
  currency: string;
  finalizedAt: Date;
  /** The tenant's time zone: times are printed in it. */
  timezone: string;
  dueOn: string;
  seller: { name: string; taxpayerId?: string | null; address?: string | null; bankName?: string | null; bankAccount?: string | null };
  buyer: { name: string; taxpayerId?: string | null; address?: string | null };
  taxMode: 'TAX_EXCLUSIVE' | 'TAX_INCLUSIVE';
  taxRate: string;
  lines: BillStatementLine[];
  totals: { net: string; tax: string; gross: string; amountPaid: string; amountDue: string };
}

export type BillStatementStatus = 'DRAFT' | 'FINALIZED' | 'PARTIALLY_PAID' | 'PAID' | 'OVERDUE' | 'VOID';

const STATUS_LABEL: Record<BillStatementStatus, string> = {
  DRAFT: '草稿 Draft',
  FINALIZED: '已出账 Finalized',
  PARTIALLY_PAID: '部分付款 Partially paid',
  PAID: '已付清 Paid',
  OVERDUE: '已逾期 Overdue',
  VOID: '已作废 Void',
};

type Document = PDFKit.PDFDocument;

// Widths add up to the A4 width inside the margins (507 pt).
const TABLE_COLUMNS: PdfTableColumn<BillStatementLine>[] = [
  { heading: ['项目', 'Description'], width: 140, align: 'left', value: (line) => line.description },
  { heading: ['数量', 'Quantity'], width: 78, align: 'right', value: (line) => line.quantity ?? '' },
  // Wide enough for a rate as exact as the price book keeps it ("out 10.0000000001 /M tok").
  { heading: ['单价', 'Unit price'], width: 97, align: 'right', value: (line) => line.unitPrice ?? '' },
  { heading: ['金额(不含税)', 'Net'], width: 64, align: 'right', value: (line) => line.net },
  { heading: ['税额', 'Tax'], width: 62, align: 'right', value: (line) => line.tax },
  { heading: ['价税合计', 'Gross'], width: 66, align: 'right', value: (line) => line.gross },
];

const TAX_MODE_LABEL: Record<BillStatement['taxMode'], string> = {
  TAX_EXCLUSIVE: '不含税定价 Prices exclude tax',
  TAX_INCLUSIVE: '含税定价 Prices include tax',
};

/** Renders a statement as an A4 PDF (bilingual headings: Chinese and English). */
export async function renderBillPdf(statement: BillStatement): Promise<Buffer> {
  const doc = await cjkDocument({
    size: 'A4',
    margins: MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `账单 Statement ${statement.number}`,
      Subject: `${statement.buyer.name} ${statement.period}`,
      Author: statement.seller.name,
      // Fixed dates (and so a fixed file ID) make the same statement render to the same bytes.
      CreationDate: statement.finalizedAt,
      ModDate: statement.finalizedAt,
    },
  });
  const output = collectPdfOutput(doc);
  doc.fillColor(COLOR.text);
  let y = drawHeading(doc, statement);
  y = drawParties(doc, statement, y + 14);
  const totals = measureTotals(doc, statement);
  // The lines, a page at a time; the totals never stand alone on a page.
  y = await drawTable(doc, TABLE_COLUMNS, statement.lines, y + 16, {
    keepWithLast: TOTALS_GAP + totals.height,
    empty: '本期无费用明细 No charges this period',
  });
  drawTotals(doc, totals, y + TOTALS_GAP);
  drawPageFooters(doc, { label: `账单 Statement ${statement.number}`, font: CJK_FONTS.regular, size: SIZE.small, color: COLOR.muted, offset: FOOTER_OFFSET });
  doc.end();
  return output;
}

function drawHeading(doc: Document, statement: BillStatement): number {
  const left = doc.page.margins.left;
  const top = doc.page.margins.top;
  doc.font(CJK_FONTS.bold).fontSize(SIZE.title).text('账单 Statement', left, top);
  const fields: [string, string][] = [
    ['账单编号 No.', statement.number],
    ['账期 Period', statement.period],
    ['状态 Status', STATUS_LABEL[statement.status]],
    ['币种 Currency', statement.currency],
    ['开具时间 Finalized', formatInstant(statement.finalizedAt, statement.timezone)],
    ['付款截止 Due on', statement.dueOn],
  ];
  const columnWidth = contentWidth(doc) / 2;
  const fieldRowHeight = 15;
  const fieldsTop = top + 34;
  fields.forEach(([label, value], index) => {
    const x = left + (index % 2) * columnWidth;
    const y = fieldsTop + Math.floor(index / 2) * fieldRowHeight;
    drawLabelledValue(doc, label, value, x, y, columnWidth);
  });
  return fieldsTop + Math.ceil(fields.length / 2) * fieldRowHeight;
}

function drawLabelledValue(doc: Document, label: string, value: string, x: number, y: number, width: number): void {
  const labelWidth = 96;
  doc.font(CJK_FONTS.regular).fontSize(SIZE.body).fillColor(COLOR.muted).text(label, x, y, { width: labelWidth, lineBreak: false });
  doc
    .font(CJK_FONTS.bold)
    .fillColor(COLOR.text)
    .text(value, x + labelWidth, y, { width: width - labelWidth - 8, lineBreak: false });
}

function drawParties(doc: Document, statement: BillStatement, top: number): number {
  const gap = 12;
  const width = (contentWidth(doc) - gap) / 2;
  const left = doc.page.margins.left;
  const { seller, buyer } = statement;
  const sellerBottom = drawParty(
    doc,
    '销售方 Seller',
    seller.name,
    [
      ['纳税人识别号 Taxpayer ID', seller.taxpayerId],
      ['地址 Address', seller.address],
      ['开户行 Bank', seller.bankName],
      ['账号 Account', seller.bankAccount],
    ],
    left,
    top,
    width,
  );
  const buyerBottom = drawParty(
    doc,
    '购买方 Buyer',
    buyer.name,
    [
      ['纳税人识别号 Taxpayer ID', buyer.taxpayerId],
      ['地址 Address', buyer.address],
    ],
    left + width + gap,
    top,
    width,
  );
  const bottom = Math.max(sellerBottom, buyerBottom);
  const taxLine = `计税方式 Tax mode: ${TAX_MODE_LABEL[statement.taxMode]}    税率 Tax rate: ${statement.taxRate}    金额单位 Amounts in ${statement.currency}`;
  doc
    .font(CJK_FONTS.regular)
    .fontSize(SIZE.body)
    .fillColor(COLOR.muted)
    .text(taxLine, left, bottom + 10, { width: contentWidth(doc) });
  doc.fillColor(COLOR.text);
  return doc.y;
}

function drawParty(
  doc: Document,
  heading: string,
  name: string,
  details: [label: string, value: string | null | undefined][],
  x: number,
  top: number,
  width: number,
): number {
  const inner = width - 16;
  doc
    .font(CJK_FONTS.bold)
    .fontSize(SIZE.heading)
    .fillColor(COLOR.accent)
    .text(heading, x + 8, top + 8, { width: inner });
  doc
    .font(CJK_FONTS.bold)
    .fontSize(SIZE.body + 1)
    .fillColor(COLOR.text)
    .text(name, x + 8, doc.y + 3, { width: inner });
  doc.font(CJK_FONTS.regular).fontSize(SIZE.body);
  for (const [label, value] of details) {
    if (!value) continue;
    doc.fillColor(COLOR.muted).text(label, x + 8, doc.y + 3, { width: inner });
    doc.fillColor(COLOR.text).text(value, x + 8, doc.y, { width: inner });
  }
  const bottom = doc.y + 8;
  doc
    .lineWidth(0.75)
    .strokeColor(COLOR.rule)
    .roundedRect(x, top, width, bottom - top, 4)
    .stroke();
  return bottom;
}

/** Space between the table and the totals. */
const TOTALS_GAP = 12;
const TOTALS = { width: 280, labelWidth: 140, rowGap: 5, emphasisGap: 6 } as const;

interface MeasuredTotals {
  rows: { label: string; amount: string; isEmphasised: boolean; height: number }[];
  height: number;
}

function measureTotals(doc: Document, statement: BillStatement): MeasuredTotals {
  const { totals, currency } = statement;
  const rows: [label: string, amount: string, isEmphasised: boolean][] = [
    ['金额合计(不含税) Net total', totals.net, false],
    ['税额合计 Tax total', totals.tax, false],
    ['价税合计 Gross total', totals.gross, false],
    ['已付金额 Amount paid', totals.amountPaid, false],
    ['应付金额 Amount due', totals.amountDue, true],
  ];
  const measured = rows.map(([label, amount, isEmphasised]) => {
    useTotalsFont(doc, isEmphasised);
    const height = Math.max(
      doc.heightOfString(label, { width: TOTALS.labelWidth }),
      doc.heightOfString(`${currency} ${amount}`, { width: TOTALS.width - TOTALS.labelWidth }),
    );
    return { label, amount: `${currency} ${amount}`, isEmphasised, height };
  });
  return { rows: measured, height: measured.reduce((sum, row) => sum + row.height + TOTALS.rowGap + (row.isEmphasised ? TOTALS.emphasisGap : 0), 0) };
}

function drawTotals(doc: Document, totals: MeasuredTotals, top: number): void {
  let y = top;
  if (y + totals.height > contentBottom(doc)) {
    doc.addPage();
    y = doc.page.margins.top;
  }
  const x = doc.page.margins.left + contentWidth(doc) - TOTALS.width;
  for (const { label, amount, isEmphasised, height } of totals.rows) {
    if (isEmphasised) {
      doc
        .lineWidth(0.75)
        .strokeColor(COLOR.text)
        .moveTo(x, y + 1)
        .lineTo(x + TOTALS.width, y + 1)
        .stroke();
      y += TOTALS.emphasisGap;
    }
    useTotalsFont(doc, isEmphasised);
    doc.text(label, x, y, { width: TOTALS.labelWidth });
    doc.text(amount, x + TOTALS.labelWidth, y, { width: TOTALS.width - TOTALS.labelWidth, align: 'right' });
    y += height + TOTALS.rowGap;
  }
}

function useTotalsFont(doc: Document, isEmphasised: boolean): void {
  doc.font(isEmphasised ? CJK_FONTS.bold : CJK_FONTS.regular).fontSize(isEmphasised ? SIZE.heading + 1 : SIZE.body);
}
