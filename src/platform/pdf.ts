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
