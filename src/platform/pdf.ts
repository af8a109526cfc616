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
