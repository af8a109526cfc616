import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type VatInvoiceDocument, type VatInvoiceLinePrint, type VatInvoicePartyPrint, renderVatInvoicePdf } from '../../src/modules/invoice/invoice-pdf.js';
import { pdfInfo, pdfPageCount, pdfText, rasterizePdfPage } from '../support/pdf-raster.js';

const BUYER_NAME = '北京深度求索科技有限公司';
const ITEM_NAME = '*信息技术服务*AI模型API服务(标准型)';
const NUMBER = '26000000000000000001';
const RED_NUMBER = '26000000000000000002';

const SELLER: VatInvoicePartyPrint = {
  name: '上海智算云服务有限公司',
  taxpayerId: '91310000MA1FL8XK2Q',
  address: '上海市浦东新区张江高科技园区科苑路 88 号',
  phone: '021-50800000',
  bankName: '招商银行上海张江支行',
  bankAccount: '121908880010888',
};

const BUYER: VatInvoicePartyPrint = {
  name: BUYER_NAME,
  taxpayerId: '91110108MA01R2XK3Y',
  address: '北京市海淀区中关村大街 1 号',
  phone: '010-62500000',
  bankName: null,
  bankAccount: null,
};

const LINES: VatInvoiceLinePrint[] = [
  { itemName: ITEM_NAME, net: '800.00', taxRate: '6%', tax: '48.00', gross: '848.00' },
  {
    itemName: '*信息技术服务*AI模型API服务(长上下文批量推理，夜间离峰时段，按百万 tokens 计费，含数据平台组与客户成功部的全部调用)',
    net: '200.00',
    taxRate: '6%',
    tax: '12.00',
    gross: '212.00',
  },
];

const SPECIAL_INVOICE: VatInvoiceDocument = {
  number: NUMBER,
  type: 'SPECIAL',
  isRedLetter: false,
  issuedOn: '2026-11-24',
  issuedAt: new Date('2026-11-24T03:00:00Z'),
  seller: SELLER,
  buyer: BUYER,
  lines: LINES,
  totals: { net: '1000.00', tax: '60.00', gross: '1060.00', grossInWords: '壹仟零陆拾元整' },
  remarks: ['账单 Bill 2026-10-000001 (2026-10)'],
};

const RED_LETTER_INVOICE: VatInvoiceDocument = {
  ...SPECIAL_INVOICE,
  number: RED_NUMBER,
  type: 'NORMAL',
  isRedLetter: true,
  issuedOn: '2026-12-02',
  issuedAt: new Date('2026-12-02T08:30:00Z'),
  lines: [{ itemName: ITEM_NAME, net: '-1000.00', taxRate: '6%', tax: '-60.00', gross: '-1060.00' }],
  totals: { net: '-1000.00', tax: '-60.00', gross: '-1060.00', grossInWords: '负壹仟零陆拾元整' },
  remarks: [`对应蓝字发票 ${NUMBER}`, '红冲原因：开票有误'],
};

function serviceLine(index: number): VatInvoiceLinePrint {
  return { itemName: `*信息技术服务*AI模型API服务(第 ${index + 1} 项)`, net: `${100 + index}.00`, taxRate: '6%', tax: '6.00', gross: `${106 + index}.00` };
}

async function writePreview(name: string, png: Buffer): Promise<void> {
  // Written so a person can look at the layout; the test does not read it back.
  await writeFile(path.join(os.tmpdir(), name), png);
}

describe('VAT invoice PDF', () => {
  it('renders a special invoice with its Chinese text in the text layer and ink on page 1', async () => {
    const pdf = await renderVatInvoicePdf(SPECIAL_INVOICE);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(await pdfPageCount(pdf)).toBe(1);

    const page = await rasterizePdfPage(pdf, 1);
    await writePreview('invoice-pdf-test-special.png', page.png);
    expect(page.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(page.width).toBeGreaterThan(page.height);
    expect(page.darkPixelRatio).toBeGreaterThan(0.01);
    expect(page.darkPixelRatio).toBeLessThan(0.5);

    const text = await pdfText(pdf, 1);
    expect(text).toContain('电子发票（增值税专用发票）');
    expect(text).toContain(NUMBER);
    expect(text).toContain('2026-11-24');
    expect(text).toContain(BUYER_NAME);
    expect(text).toContain(SELLER.name);
    expect(text).toContain('91110108MA01R2XK3Y');
    expect(text).toContain(ITEM_NAME);
    expect(text).toContain('壹仟零陆拾元整');
    expect(text).toContain('¥1060.00');
    expect(text).toContain('¥1000.00');
    expect(text).toContain('¥60.00');
    expect(text).toContain('账单 Bill 2026-10-000001 (2026-10)');
    expect(text).toContain('第 1 页 / 共 1 页');
    expect(text).not.toContain('红字');
  });

  it('sets the title and a creation date taken from issuance', async () => {
    const info = await pdfInfo(await renderVatInvoicePdf(SPECIAL_INVOICE));
    expect(info.Title).toBe(`电子发票（增值税专用发票） ${NUMBER}`);
    expect(info.CreationDate).toBe('D:20261124030000Z');
  });

  it('marks a red-letter normal invoice and prints its negative amounts as given', async () => {
    const pdf = await renderVatInvoicePdf(RED_LETTER_INVOICE);
    const page = await rasterizePdfPage(pdf, 1);
    await writePreview('invoice-pdf-test-red-letter.png', page.png);
    expect(page.darkPixelRatio).toBeGreaterThan(0.01);

    const text = await pdfText(pdf, 1);
    expect(text).toContain('电子发票（普通发票）');
    expect(text).toContain('红字发票');
    expect(text).toContain('-1000.00');
    expect(text).toContain('¥-1000.00');
    expect(text).toContain('¥-60.00');
    expect(text).toContain('¥-1060.00');
    expect(text).toContain('负壹仟零陆拾元整');
    expect(text).toContain(`对应蓝字发票 ${NUMBER}`);
    expect((await pdfInfo(pdf)).Title).toBe(`红字发票 电子发票（普通发票） ${RED_NUMBER}`);
  });

  it('continues 60 lines onto further pages, each with the table header and a footer', async () => {
    const lines = Array.from({ length: 60 }, (_, index) => serviceLine(index));
    const pdf = await renderVatInvoicePdf({ ...SPECIAL_INVOICE, lines });

    const pages = await pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    let allText = '';
    for (let pageNumber = 1; pageNumber <= pages; pageNumber++) {
      const page = await rasterizePdfPage(pdf, pageNumber);
      await writePreview(`invoice-pdf-test-60-lines-page-${pageNumber}.png`, page.png);
      expect(page.darkPixelRatio).toBeGreaterThan(0.01);
      const text = await pdfText(pdf, pageNumber);
      expect(text).toContain('电子发票（增值税专用发票）');
      expect(text).toContain('项目名称');
      expect(text).toContain('税率/征收率');
      expect(text).toContain(`第 ${pageNumber} 页 / 共 ${pages} 页`);
      allText += text;
    }
    expect(allText).toContain('(第 1 项)');
    expect(allText).toContain('(第 60 项)');
    expect(allText.indexOf('(第 60 项)')).toBeLessThan(allText.indexOf('价税合计'));
    const lastPage = await pdfText(pdf, pages);
    expect(lastPage).toContain('(第 60 项)');
    expect(lastPage).toContain('壹仟零陆拾元整');
  });

  it('renders the same invoice to the same bytes', async () => {
    const [first, second] = await Promise.all([renderVatInvoicePdf(SPECIAL_INVOICE), renderVatInvoicePdf(SPECIAL_INVOICE)]);
    expect(first.equals(second)).toBe(true);
  });
});
