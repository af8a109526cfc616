import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Font } from 'fontkit';

/** Names of the Noto Sans SC (Simplified Chinese) fonts in a document made by `cjkDocument`. */
interface CjkFonts {
  regular: string;
  bold: string;
}

export const CJK_FONTS: CjkFonts = { regular: 'NotoSansSC-Regular', bold: 'NotoSansSC-Bold' };

const FONT_PACKAGE = '@embedpdf/fonts-sc';

/**
 * pdfkit and fontkit, loaded by the first render: about 30 MiB that a process which never renders
 * a PDF (a gateway-facing instance, a settlement run, an export of tables) does not carry.
 */
let pdfLibraries: Promise<{ PDFDocument: typeof import('pdfkit'); fontkit: typeof import('fontkit') }> | undefined;

function loadPdfLibraries() {
  pdfLibraries ??= Promise.all([import('pdfkit'), import('fontkit')]).then(([pdfkit, fontkit]) => ({ PDFDocument: pdfkit.default, fontkit }));
  return pdfLibraries;
}

let parsedFonts: Record<keyof CjkFonts, Font> | undefined;

/**
 * The fonts of `@embedpdf/fonts-sc`, parsed once per process and shared by every document:
 * parsing two 8 MB OpenType fonts for each document was most of a render's time and memory.
 * Throws naming the file when one is missing.
 */
function cjkFontFiles(fontkit: typeof import('fontkit')): Record<keyof CjkFonts, Font> {
  if (!parsedFonts) {
    // The package exports only its index module, so the fonts are found beside it.
    const fontDirectory = path.join(path.dirname(createRequire(import.meta.url).resolve(FONT_PACKAGE)), '..', 'fonts');
    const files = { regular: path.join(fontDirectory, 'NotoSansHans-Regular.otf'), bold: path.join(fontDirectory, 'NotoSansHans-Bold.otf') };
    for (const file of Object.values(files)) {
      if (!existsSync(file)) throw new Error(`PDF font missing: ${file} (is ${FONT_PACKAGE} installed?)`);
    }
    parsedFonts = { regular: openFont(fontkit, files.regular), bold: openFont(fontkit, files.bold) };
  }
  return parsedFonts;
}

function openFont(fontkit: typeof import('fontkit'), file: string): Font {
  const font = fontkit.create(readFileSync(file));
  if (!('layout' in font)) throw new Error(`PDF font ${file} is a collection, not one font`);
  return font;
}

/**
 * A pdfkit document with the CJK fonts registered as CJK_FONTS, the regular one current.
 * pdfkit takes a parsed fontkit font wherever it takes font bytes (its typings do not say so).
 */
export async function cjkDocument(options: PDFKit.PDFDocumentOptions): Promise<PDFKit.PDFDocument> {
  const { PDFDocument, fontkit } = await loadPdfLibraries();
  const fonts = cjkFontFiles(fontkit);
  const doc = new PDFDocument({ ...options, font: fonts.regular as unknown as string });
  for (const style of ['regular', 'bold'] as const) doc.registerFont(CJK_FONTS[style], fonts[style] as unknown as Uint8Array);
  return doc.font(CJK_FONTS.regular);
}

/** Lets other work run between slices of a render, which is synchronous CPU work otherwise. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** The bytes a pdfkit document writes; subscribe before `doc.end()`. */
export function collectPdfOutput(doc: PDFKit.PDFDocument): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
}

export interface PageFooter {
  /** Printed at the left of every page; "第 n 页 / 共 m 页" goes to the right. */
  label: string;
  font: string;
  size: number;
  color: string;
  /** From the bottom edge of the page to the footer's baseline area. */
  offset: number;
}

/** Writes the footer on every page of a document made with `bufferPages: true`, once all pages exist. */
export function drawPageFooters(doc: PDFKit.PDFDocument, footer: PageFooter): void {
  const { start, count } = doc.bufferedPageRange();
  for (let index = start; index < start + count; index++) {
    doc.switchToPage(index);
    const { margins } = doc.page;
    const bottomMargin = margins.bottom;
    // Text below the bottom margin would make pdfkit start a new page.
    margins.bottom = 0;
    const y = doc.page.height - footer.offset;
    const width = doc.page.width - margins.left - margins.right;
    doc.font(footer.font).fontSize(footer.size).fillColor(footer.color);
    doc.text(footer.label, margins.left, y, { width: width / 2, lineBreak: false });
    doc.text(`第 ${index - start + 1} 页 / 共 ${count} 页`, margins.left, y, { width, align: 'right', lineBreak: false });
    margins.bottom = bottomMargin;
  }
}

/** The house layout of PDFs: A4 margins, type sizes and colours. */
export const PDF_MARGIN = { top: 44, bottom: 60, left: 44, right: 44 };
export const PDF_FOOTER_OFFSET = 36;
export const PDF_SIZE = { title: 20, heading: 10, body: 9, table: 8.5, small: 7.5 };
export const PDF_COLOR = { text: '#1f2329', muted: '#646a73', rule: '#dee0e3', headerFill: '#f2f3f5', accent: '#1456f0' };
const CELL_PADDING = { x: 4, y: 4 };

export function contentWidth(doc: PDFKit.PDFDocument): number {
  return doc.page.width - doc.page.margins.left - doc.page.margins.right;
}

export function contentBottom(doc: PDFKit.PDFDocument): number {
  return doc.page.height - doc.page.margins.bottom;
}

/** The tenant's local time with its UTC offset: "2026-11-01 10:00 (GMT+8)". */
export function formatInstant(instant: Date, timezone: string): string {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone: timezone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    hourCycle: 'h23',
    timeZoneName: 'shortOffset',
  }).formatToParts(instant);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((each) => each.type === type)!.value;
  return `${part('year')}-${part('month')}-${part('day')} ${part('hour')}:${part('minute')} (${part('timeZoneName')})`;
}

/** A column of a table: its bilingual heading, width (the widths add up to the content width) and text. */
export interface PdfTableColumn<Row> {
  heading: [chinese: string, english: string];
  width: number;
  align: 'left' | 'right';
  value: (row: Row) => string;
}

/** Rows drawn between yields to the event loop: a long table must not hold up other requests for its whole render. */
const ROWS_PER_SLICE = 10;

/**
 * Rows as a table, a page at a time, each page with the header row; `empty` stands in for no rows.
 * `keepWithLast` is the height that must follow the last row on its page (a bill's totals): when
 * it would not fit, the last row moves to the next page with it. Returns where the table ends.
 */
export async function drawTable<Row>(
  doc: PDFKit.PDFDocument,
  columns: PdfTableColumn<Row>[],
  rows: readonly Row[],
  top: number,
  options: { empty: string; keepWithLast?: number },
): Promise<number> {
  const { keepWithLast = 0 } = options;
  let y = drawTableHeader(doc, columns, top);
  if (rows.length === 0) {
    doc
      .font(CJK_FONTS.regular)
      .fontSize(PDF_SIZE.table)
      .fillColor(PDF_COLOR.muted)
      .text(options.empty, doc.page.margins.left + CELL_PADDING.x, y + CELL_PADDING.y);
    doc.fillColor(PDF_COLOR.text);
    return doc.y + CELL_PADDING.y;
  }
  for (const [index, row] of rows.entries()) {
    if (index > 0 && index % ROWS_PER_SLICE === 0) await yieldToEventLoop();
    const cells = columns.map((column) => column.value(row));
    doc.font(CJK_FONTS.regular).fontSize(PDF_SIZE.table);
    const height = rowHeight(doc, columns, cells);
    const isLast = index === rows.length - 1;
    if (y + height + (isLast ? keepWithLast : 0) > contentBottom(doc)) {
      doc.addPage();
      y = drawTableHeader(doc, columns, doc.page.margins.top);
      doc.font(CJK_FONTS.regular).fontSize(PDF_SIZE.table);
    }
    drawRow(doc, columns, cells, y, height);
    y += height;
  }
  return y;
}

function drawTableHeader<Row>(doc: PDFKit.PDFDocument, columns: PdfTableColumn<Row>[], top: number): number {
  doc.font(CJK_FONTS.bold).fontSize(PDF_SIZE.table);
  const cells = columns.map(({ heading }) => heading.join('\n'));
  const height = rowHeight(doc, columns, cells);
  doc.rect(doc.page.margins.left, top, contentWidth(doc), height).fill(PDF_COLOR.headerFill);
  doc.fillColor(PDF_COLOR.text);
  drawRow(doc, columns, cells, top, height);
  return top + height;
}

function rowHeight<Row>(doc: PDFKit.PDFDocument, columns: PdfTableColumn<Row>[], cells: string[]): number {
  const heights = cells.map((text, index) => doc.heightOfString(text || ' ', { width: columns[index].width - 2 * CELL_PADDING.x }));
  return Math.max(...heights) + 2 * CELL_PADDING.y;
}

function drawRow<Row>(doc: PDFKit.PDFDocument, columns: PdfTableColumn<Row>[], cells: string[], top: number, height: number): void {
  let x = doc.page.margins.left;
  cells.forEach((text, index) => {
    const { width, align } = columns[index];
    doc.text(text, x + CELL_PADDING.x, top + CELL_PADDING.y, { width: width - 2 * CELL_PADDING.x, align });
    x += width;
  });
  const bottom = top + height;
  doc
    .lineWidth(0.5)
    .strokeColor(PDF_COLOR.rule)
    .moveTo(doc.page.margins.left, bottom)
    .lineTo(doc.page.margins.left + contentWidth(doc), bottom)
    .stroke();
}
