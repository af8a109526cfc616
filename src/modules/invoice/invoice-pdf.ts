import { CJK_FONTS, cjkDocument, collectPdfOutput, drawPageFooters } from '../../platform/pdf.js';

export interface VatInvoicePartyPrint {
  name: string;
  taxpayerId: string | null;
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
}

/** One line of goods or services. Amounts are decimal strings already formatted: printed as given, never computed. */
export interface VatInvoiceLinePrint {
  /** Fapiao style, tax category first: "*信息技术服务*AI模型API服务(标准型)". */
  itemName: string;
  net: string;
  /** Printed as given, e.g. "6%". */
  taxRate: string;
  tax: string;
  gross: string;
}

/** Everything printed on a VAT invoice (fapiao); negative amounts for a red-letter one. */
export interface VatInvoiceDocument {
  /** 20 digits. */
  number: string;
  type: 'SPECIAL' | 'NORMAL';
  isRedLetter: boolean;
  /** The issue date as printed, "2026-11-24". */
  issuedOn: string;
  /** The PDF creation and modification dates, so the same invoice renders to the same bytes. */
  issuedAt: Date;
  seller: VatInvoicePartyPrint;
  buyer: VatInvoicePartyPrint;
  lines: VatInvoiceLinePrint[];
  /** grossInWords is the caller's uppercase Chinese amount, "壹仟零陆拾元整" or "负壹仟零陆拾元整". */
  totals: { net: string; tax: string; gross: string; grossInWords: string };
  remarks: string[];
}

type PdfDocument = PDFKit.PDFDocument;

interface TableColumn {
  heading: string;
  width: number;
  align: 'left' | 'center' | 'right';
  value: (line: VatInvoiceLinePrint) => string;
}

const TITLE: Record<VatInvoiceDocument['type'], string> = {
  SPECIAL: '电子发票（增值税专用发票）',
  NORMAL: '电子发票（普通发票）',
};
const RED_LETTER_MARK = '红字发票';

const MARGIN = { top: 30, bottom: 46, left: 36, right: 36 };
const FOOTER_OFFSET = 30;
const CELL_PADDING = { x: 5, y: 3 };
const SIDE_LABEL_WIDTH = 24;
const SIZE = { title: 20, body: 9.5, label: 9, table: 9, sideLabel: 10, words: 10.5, stamp: 17, small: 7.5 };
const COLOR = {
  text: '#1f2329',
  muted: '#646a73',
  frame: '#9c5a3c',
  label: '#8a4b2f',
  rowRule: '#efe2d9',
  redLetter: '#d4251c',
};
// Room for a few lines, so a short invoice still has the table area of a fapiao.
const MINIMUM_TABLE_BODY_HEIGHT = 96;

// The services invoiced have no specification, unit, quantity or unit price, so those columns stay blank.
// Widths add up to the A4 landscape width inside the margins (770 pt).
const TABLE_COLUMNS: TableColumn[] = [
  { heading: '项目名称', width: 262, align: 'left', value: (line) => line.itemName },
  { heading: '规格型号', width: 64, align: 'center', value: () => '' },
  { heading: '单位', width: 40, align: 'center', value: () => '' },
  { heading: '数量', width: 56, align: 'right', value: () => '' },
  { heading: '单价', width: 72, align: 'right', value: () => '' },
  { heading: '金额', width: 104, align: 'right', value: (line) => line.net },
  { heading: '税率/征收率', width: 68, align: 'center', value: (line) => line.taxRate },
  { heading: '税额', width: 104, align: 'right', value: (line) => line.tax },
];
const NET_COLUMN = 5;
const TAX_COLUMN = 7;

/** Renders a VAT invoice in the layout of a Chinese digital fapiao (全电发票), A4 landscape. */
export async function renderVatInvoicePdf(document: VatInvoiceDocument): Promise<Buffer> {
  const title = TITLE[document.type];
  const pdf = await cjkDocument({
    size: 'A4',
    layout: 'landscape',
    margins: MARGIN,
    bufferPages: true,
    lang: 'zh-CN',
    displayTitle: true,
    info: {
      Title: `${document.isRedLetter ? `${RED_LETTER_MARK} ` : ''}${title} ${document.number}`,
      Subject: document.buyer.name,
      Author: document.seller.name,
      // Fixed dates (and so a fixed file ID) make the same invoice render to the same bytes.
      CreationDate: document.issuedAt,
      ModDate: document.issuedAt,
    },
  });
  const output = collectPdfOutput(pdf);
  let frameTop = drawHeading(pdf, document);
  let y = drawParties(pdf, document, frameTop);
  y = drawTableHeader(pdf, y);

  const startContinuationPage = (): void => {
    drawFrame(pdf, frameTop, y);
    pdf.addPage();
    frameTop = drawHeading(pdf, document);
    y = drawTableHeader(pdf, frameTop);
  };

  const closingHeight = totalRowHeight(pdf) + grossRowHeight(pdf, document) + remarksHeight(pdf, document);
  const tableBodyTop = y;
  for (const [index, line] of document.lines.entries()) {
    const cells = TABLE_COLUMNS.map((column) => column.value(line));
    useTableFont(pdf);
    const height = rowHeight(pdf, cells);
    // The last line goes with the totals, so a page never holds the totals alone.
    const isLast = index === document.lines.length - 1;
    if (y + height + (isLast ? closingHeight : 0) > contentBottom(pdf)) {
      startContinuationPage();
      useTableFont(pdf);
    }
    drawRow(pdf, cells, y, height);
    y += height;
  }

  if (pdf.bufferedPageRange().count === 1) {
    const paddedBottom = Math.min(tableBodyTop + MINIMUM_TABLE_BODY_HEIGHT, contentBottom(pdf) - closingHeight);
    y = Math.max(y, paddedBottom);
  }
  if (y + closingHeight > contentBottom(pdf)) startContinuationPage();
  y = drawTotalRow(pdf, document, y);
  y = drawGrossRow(pdf, document, y);
  y = drawRemarks(pdf, document, y);
  drawFrame(pdf, frameTop, y);

  drawPageFooters(pdf, { label: `发票号码 ${document.number}`, font: CJK_FONTS.regular, size: SIZE.small, color: COLOR.muted, offset: FOOTER_OFFSET });
  pdf.end();
  return output;
}

function contentLeft(pdf: PdfDocument): number {
  return pdf.page.margins.left;
}

function contentWidth(pdf: PdfDocument): number {
  return pdf.page.width - pdf.page.margins.left - pdf.page.margins.right;
}

function contentRight(pdf: PdfDocument): number {
  return contentLeft(pdf) + contentWidth(pdf);
}

function contentBottom(pdf: PdfDocument): number {
  return pdf.page.height - pdf.page.margins.bottom;
}

/** Title, red-letter mark, number and date; repeated on every page. Returns where the frame starts. */
function drawHeading(pdf: PdfDocument, document: VatInvoiceDocument): number {
  const top = pdf.page.margins.top;
  const left = contentLeft(pdf);
  const width = contentWidth(pdf);
  const title = TITLE[document.type];

  pdf.font(CJK_FONTS.bold).fontSize(SIZE.title).fillColor(COLOR.frame);
  pdf.text(title, left, top + 6, { width, align: 'center', lineBreak: false });
  // The double rule under the title is how a fapiao title looks.
  const titleWidth = pdf.widthOfString(title);
  const ruleLeft = left + (width - titleWidth) / 2;
  const ruleY = top + 6 + pdf.currentLineHeight() + 2;
  pdf.lineWidth(0.8).strokeColor(COLOR.frame);
  pdf
    .moveTo(ruleLeft, ruleY)
    .lineTo(ruleLeft + titleWidth, ruleY)
    .stroke();
  pdf
    .moveTo(ruleLeft, ruleY + 2.5)
    .lineTo(ruleLeft + titleWidth, ruleY + 2.5)
    .stroke();

  if (document.isRedLetter) drawRedLetterStamp(pdf, left, top);

  const fieldsWidth = 190;
  const fieldsLeft = left + width - fieldsWidth;
  drawHeadingField(pdf, '发票号码：', document.number, fieldsLeft, top + 8, fieldsWidth);
  drawHeadingField(pdf, '开票日期：', document.issuedOn, fieldsLeft, top + 26, fieldsWidth);
  return top + 56;
}

function drawRedLetterStamp(pdf: PdfDocument, left: number, top: number): void {
  const width = 112;
  const height = 44;
  pdf
    .lineWidth(1.6)
    .strokeColor(COLOR.redLetter)
    .rect(left + 1, top + 1, width, height)
    .stroke();
  pdf
    .lineWidth(0.6)
    .rect(left + 4, top + 4, width - 6, height - 6)
    .stroke();
  pdf.font(CJK_FONTS.bold).fontSize(SIZE.stamp).fillColor(COLOR.redLetter);
  pdf.text(RED_LETTER_MARK, left + 1, top + 5, { width, align: 'center', lineBreak: false });
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.small);
  pdf.text('RED-LETTER INVOICE', left + 1, top + 30, { width, align: 'center', lineBreak: false });
}

function drawHeadingField(pdf: PdfDocument, label: string, value: string, x: number, y: number, width: number): void {
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body).fillColor(COLOR.label);
  const labelWidth = pdf.widthOfString(label);
  pdf.text(label, x, y, { lineBreak: false });
  pdf
    .font(CJK_FONTS.bold)
    .fillColor(COLOR.text)
    .text(value, x + labelWidth, y, { width: width - labelWidth, lineBreak: false });
}

/** Buyer and seller side by side, each with its name written vertically down a narrow column. */
function drawParties(pdf: PdfDocument, document: VatInvoiceDocument, top: number): number {
  const left = contentLeft(pdf);
  const half = contentWidth(pdf) / 2;
  const buyer = partyFields(document.buyer);
  const seller = partyFields(document.seller);
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.label);
  const labelWidth = Math.max(...[...buyer, ...seller].map(([label]) => pdf.widthOfString(label))) + 2;
  const valueWidth = half - SIDE_LABEL_WIDTH - labelWidth - 3 * CELL_PADDING.x;

  const fieldsHeight = (fields: [string, string][]): number => fields.reduce((sum, [, value]) => sum + partyValueHeight(pdf, value, valueWidth) + 3, 0);
  const minimumHeight = sideLabelHeight('购买方信息');
  const height = Math.max(minimumHeight, fieldsHeight(buyer) + 2 * CELL_PADDING.y + 4, fieldsHeight(seller) + 2 * CELL_PADDING.y + 4);

  for (const [index, [sideLabel, fields]] of (
    [
      ['购买方信息', buyer],
      ['销售方信息', seller],
    ] as const
  ).entries()) {
    const x = left + index * half;
    drawSideLabel(pdf, sideLabel, x, top, height);
    pdf.lineWidth(0.8).strokeColor(COLOR.frame);
    if (index > 0)
      pdf
        .moveTo(x, top)
        .lineTo(x, top + height)
        .stroke();
    pdf
      .moveTo(x + SIDE_LABEL_WIDTH, top)
      .lineTo(x + SIDE_LABEL_WIDTH, top + height)
      .stroke();
    let y = top + CELL_PADDING.y + 3;
    const labelLeft = x + SIDE_LABEL_WIDTH + CELL_PADDING.x;
    const valueLeft = labelLeft + labelWidth + CELL_PADDING.x;
    for (const [label, value] of fields) {
      pdf
        .font(CJK_FONTS.regular)
        .fontSize(SIZE.label)
        .fillColor(COLOR.label)
        .text(label, labelLeft, y + 0.5, { width: labelWidth, lineBreak: false });
      const valueHeight = partyValueHeight(pdf, value, valueWidth);
      pdf.fillColor(COLOR.text).text(value, valueLeft, y, { width: valueWidth });
      y += valueHeight + 3;
    }
  }
  const bottom = top + height;
  drawRule(pdf, bottom, COLOR.frame);
  return bottom;
}

function partyFields(party: VatInvoicePartyPrint): [label: string, value: string][] {
  const fields: [string, string][] = [
    ['名称：', party.name],
    ['统一社会信用代码/纳税人识别号：', party.taxpayerId ?? ''],
  ];
  const contact = joinPresent(party.address, party.phone);
  if (contact) fields.push(['地址、电话：', contact]);
  const bank = joinPresent(party.bankName, party.bankAccount);
  if (bank) fields.push(['开户银行及账号：', bank]);
  return fields;
}

function joinPresent(...parts: (string | null)[]): string {
  return parts.filter((part) => part).join(' ');
}

function partyValueHeight(pdf: PdfDocument, value: string, width: number): number {
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body);
  return pdf.heightOfString(value || ' ', { width });
}

function sideLabelStep(): number {
  return SIZE.sideLabel * 1.45;
}

function sideLabelHeight(label: string): number {
  return [...label].length * sideLabelStep() + 2 * CELL_PADDING.y + 4;
}

/** Writes a label one character under another, centred in a column at the left of a block. */
function drawSideLabel(pdf: PdfDocument, label: string, x: number, top: number, height: number): void {
  const characters = [...label];
  const step = sideLabelStep();
  let y = top + (height - characters.length * step) / 2;
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.sideLabel).fillColor(COLOR.label);
  for (const character of characters) {
    pdf.text(character, x, y + (step - pdf.currentLineHeight()) / 2, { width: SIDE_LABEL_WIDTH, align: 'center', lineBreak: false });
    y += step;
  }
}

function drawRule(pdf: PdfDocument, y: number, color: string, lineWidth = 0.8): void {
  pdf.lineWidth(lineWidth).strokeColor(color).moveTo(contentLeft(pdf), y).lineTo(contentRight(pdf), y).stroke();
}

function drawFrame(pdf: PdfDocument, top: number, bottom: number): void {
  pdf
    .lineWidth(1.2)
    .strokeColor(COLOR.frame)
    .rect(contentLeft(pdf), top, contentWidth(pdf), bottom - top)
    .stroke();
}

function useTableFont(pdf: PdfDocument): void {
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.table).fillColor(COLOR.text);
}

function drawTableHeader(pdf: PdfDocument, top: number): number {
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.table);
  const cells = TABLE_COLUMNS.map(({ heading }) => heading);
  const height = rowHeight(pdf, cells) + 2;
  pdf.fillColor(COLOR.label);
  let x = contentLeft(pdf);
  for (const { heading, width } of TABLE_COLUMNS) {
    pdf.text(heading, x + CELL_PADDING.x, top + CELL_PADDING.y + 1, { width: width - 2 * CELL_PADDING.x, align: 'center', lineBreak: false });
    x += width;
  }
  drawRule(pdf, top + height, COLOR.rowRule);
  return top + height;
}

function rowHeight(pdf: PdfDocument, cells: string[]): number {
  const heights = cells.map((text, index) => pdf.heightOfString(text || ' ', { width: TABLE_COLUMNS[index].width - 2 * CELL_PADDING.x }));
  return Math.max(...heights) + 2 * CELL_PADDING.y;
}

function drawRow(pdf: PdfDocument, cells: string[], top: number, height: number): void {
  let x = contentLeft(pdf);
  cells.forEach((text, index) => {
    const { width, align } = TABLE_COLUMNS[index];
    if (text) pdf.text(text, x + CELL_PADDING.x, top + CELL_PADDING.y, { width: width - 2 * CELL_PADDING.x, align });
    x += width;
  });
  drawRule(pdf, top + height, COLOR.rowRule, 0.5);
}

function columnLeft(pdf: PdfDocument, columnIndex: number): number {
  return contentLeft(pdf) + TABLE_COLUMNS.slice(0, columnIndex).reduce((sum, column) => sum + column.width, 0);
}

function totalRowHeight(pdf: PdfDocument): number {
  pdf.font(CJK_FONTS.bold).fontSize(SIZE.table);
  return pdf.currentLineHeight() + 2 * CELL_PADDING.y + 2;
}

/** 合计: the net and tax totals under their columns. */
function drawTotalRow(pdf: PdfDocument, document: VatInvoiceDocument, top: number): number {
  const height = totalRowHeight(pdf);
  const y = top + CELL_PADDING.y + 1;
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.table).fillColor(COLOR.label);
  pdf.text('合　　计', contentLeft(pdf), y, { width: TABLE_COLUMNS[0].width, align: 'center', lineBreak: false });
  pdf.font(CJK_FONTS.bold).fillColor(COLOR.text);
  for (const [columnIndex, amount] of [
    [NET_COLUMN, document.totals.net],
    [TAX_COLUMN, document.totals.tax],
  ] as const) {
    const { width } = TABLE_COLUMNS[columnIndex];
    pdf.text(`¥${amount}`, columnLeft(pdf, columnIndex) + CELL_PADDING.x, y, { width: width - 2 * CELL_PADDING.x, align: 'right', lineBreak: false });
  }
  const bottom = top + height;
  drawRule(pdf, bottom, COLOR.frame);
  return bottom;
}

const GROSS_LABEL_WIDTH = 128;
const GROSS_FIGURES_WIDTH = 230;

function grossWordsWidth(pdf: PdfDocument): number {
  return contentWidth(pdf) - GROSS_LABEL_WIDTH - GROSS_FIGURES_WIDTH - 4 * CELL_PADDING.x;
}

function grossRowHeight(pdf: PdfDocument, document: VatInvoiceDocument): number {
  pdf.font(CJK_FONTS.bold).fontSize(SIZE.words);
  return pdf.heightOfString(`ⓧ ${document.totals.grossInWords}`, { width: grossWordsWidth(pdf) }) + 2 * CELL_PADDING.y + 6;
}

/** 价税合计: the gross in uppercase Chinese numerals (the caller's words, sign included) and in figures. */
function drawGrossRow(pdf: PdfDocument, document: VatInvoiceDocument, top: number): number {
  const height = grossRowHeight(pdf, document);
  const left = contentLeft(pdf);
  const textTop = top + CELL_PADDING.y + 3;
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body).fillColor(COLOR.label);
  pdf.text('价税合计（大写）', left, textTop + 1, { width: GROSS_LABEL_WIDTH, align: 'center', lineBreak: false });
  pdf
    .lineWidth(0.8)
    .strokeColor(COLOR.frame)
    .moveTo(left + GROSS_LABEL_WIDTH, top)
    .lineTo(left + GROSS_LABEL_WIDTH, top + height)
    .stroke();

  pdf.font(CJK_FONTS.bold).fontSize(SIZE.words).fillColor(COLOR.text);
  pdf.text(`ⓧ ${document.totals.grossInWords}`, left + GROSS_LABEL_WIDTH + 2 * CELL_PADDING.x, textTop, { width: grossWordsWidth(pdf) });

  const figuresLeft = contentRight(pdf) - GROSS_FIGURES_WIDTH - CELL_PADDING.x;
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body).fillColor(COLOR.label);
  const figuresLabel = '（小写）';
  pdf.text(figuresLabel, figuresLeft, textTop + 1, { lineBreak: false });
  const amountLeft = figuresLeft + pdf.widthOfString(figuresLabel) + 2;
  pdf.font(CJK_FONTS.bold).fontSize(SIZE.words).fillColor(COLOR.text);
  pdf.text(`¥${document.totals.gross}`, amountLeft, textTop, { width: contentRight(pdf) - CELL_PADDING.x - amountLeft, lineBreak: false });

  const bottom = top + height;
  drawRule(pdf, bottom, COLOR.frame);
  return bottom;
}

function remarksWidth(pdf: PdfDocument): number {
  return contentWidth(pdf) - SIDE_LABEL_WIDTH - 2 * CELL_PADDING.x;
}

function remarksHeight(pdf: PdfDocument, document: VatInvoiceDocument): number {
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body);
  const textHeight = document.remarks.reduce((sum, remark) => sum + pdf.heightOfString(remark || ' ', { width: remarksWidth(pdf) }) + 2, 0);
  return Math.max(sideLabelHeight('备注') + 12, textHeight + 2 * CELL_PADDING.y + 6);
}

/** 备注: one remark a line. */
function drawRemarks(pdf: PdfDocument, document: VatInvoiceDocument, top: number): number {
  const height = remarksHeight(pdf, document);
  const left = contentLeft(pdf);
  drawSideLabel(pdf, '备注', left, top, height);
  pdf
    .lineWidth(0.8)
    .strokeColor(COLOR.frame)
    .moveTo(left + SIDE_LABEL_WIDTH, top)
    .lineTo(left + SIDE_LABEL_WIDTH, top + height)
    .stroke();
  pdf.font(CJK_FONTS.regular).fontSize(SIZE.body).fillColor(COLOR.text);
  let y = top + CELL_PADDING.y + 3;
  for (const remark of document.remarks) {
    pdf.text(remark, left + SIDE_LABEL_WIDTH + CELL_PADDING.x, y, { width: remarksWidth(pdf) });
    y += pdf.heightOfString(remark || ' ', { width: remarksWidth(pdf) }) + 2;
  }
  return top + height;
}
