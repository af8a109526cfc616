import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';

/** Noto Sans SC (Simplified Chinese) font files, as paths pdfkit can load. */
export interface CjkFonts {
  regular: string;
  bold: string;
}

const FONT_PACKAGE = '@embedpdf/fonts-sc';

let cjkFonts: CjkFonts | undefined;

/** Finds the Noto Sans SC fonts of `@embedpdf/fonts-sc` once; throws naming the file when one is missing. */
export function resolveCjkFonts(): CjkFonts {
  if (!cjkFonts) {
    // The package exports only its index module, so the fonts are found beside it.
    const fontDirectory = path.join(path.dirname(createRequire(import.meta.url).resolve(FONT_PACKAGE)), '..', 'fonts');
    const fonts = {
      regular: path.join(fontDirectory, 'NotoSansHans-Regular.otf'),
      bold: path.join(fontDirectory, 'NotoSansHans-Bold.otf'),
    };
    for (const file of Object.values(fonts)) {
      if (!existsSync(file)) throw new Error(`PDF font missing: ${file} (is ${FONT_PACKAGE} installed?)`);
    }
    cjkFonts = fonts;
  }
  return cjkFonts;
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
