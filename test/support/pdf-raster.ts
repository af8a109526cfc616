import { createCanvas } from '@napi-rs/canvas';
import type { PDFDocumentProxy } from 'pdfjs-dist';
import { getDocument } from 'pdfjs-dist/legacy/build/pdf.mjs';

export interface RasterizedPage {
  png: Buffer;
  width: number;
  height: number;
  /** Share of pixels that are not white (any channel below {@link WHITE_THRESHOLD}). */
  darkPixelRatio: number;
}

const WHITE_THRESHOLD = 250;

async function withPdf<T>(pdf: Buffer, use: (document: PDFDocumentProxy) => Promise<T>): Promise<T> {
  // pdfjs takes ownership of (detaches) the bytes it is given, so it gets a copy.
  const loading = getDocument({ data: new Uint8Array(pdf), verbosity: 0 });
  try {
    return await use(await loading.promise);
  } finally {
    await loading.destroy();
  }
}

/** Renders one page (1-based) with pdf.js onto a Skia canvas; scale 1 is 72 dpi. */
export function rasterizePdfPage(pdf: Buffer, pageNumber: number, scale = 1.5): Promise<RasterizedPage> {
  return withPdf(pdf, async (document) => {
    const page = await document.getPage(pageNumber);
    const viewport = page.getViewport({ scale });
    const width = Math.ceil(viewport.width);
    const height = Math.ceil(viewport.height);
    const canvas = createCanvas(width, height);
    await page.render({ canvas, viewport, background: '#ffffff' }).promise;
    const pixels = canvas.getContext('2d').getImageData(0, 0, width, height).data;
    let nonWhite = 0;
    for (let offset = 0; offset < pixels.length; offset += 4) {
      if (pixels[offset] < WHITE_THRESHOLD || pixels[offset + 1] < WHITE_THRESHOLD || pixels[offset + 2] < WHITE_THRESHOLD) nonWhite++;
    }
    return { png: await canvas.encode('png'), width, height, darkPixelRatio: nonWhite / (width * height) };
  });
}

export function pdfPageCount(pdf: Buffer): Promise<number> {
  return withPdf(pdf, async (document) => document.numPages);
}

/** The text layer of one page (1-based) as pdf.js extracts it, runs joined, lines ended by newlines. */
export function pdfText(pdf: Buffer, pageNumber: number): Promise<string> {
  return withPdf(pdf, async (document) => {
    const page = await document.getPage(pageNumber);
    const content = await page.getTextContent();
    return content.items.map((item) => ('str' in item ? item.str + (item.hasEOL ? '\n' : '') : '')).join('');
  });
}

/** The document information dictionary (Title, CreationDate, ...), as pdf.js reads it. */
export function pdfInfo(pdf: Buffer): Promise<Record<string, unknown>> {
  return withPdf(pdf, async (document) => {
    const { info } = await document.getMetadata();
    return { ...info };
  });
}
