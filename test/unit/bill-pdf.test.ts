import { writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { type BillStatement, type BillStatementLine, renderBillPdf } from '../../src/modules/bill/bill-pdf.js';
import { pdfInfo, pdfPageCount, pdfText, rasterizePdfPage } from '../support/pdf-raster.js';

const BUYER = '北京深度求索科技有限公司';
const DEPARTMENTS = ['研发部', '市场部', '客户成功部'];

function usageLine(index: number): BillStatementLine {
  return {
    description: `${DEPARTMENTS[index % DEPARTMENTS.length]} · gpt-4o`,
    quantity: `${1000 + index} requests`,
    unitPrice: '0.0200',
    net: `${20 + index}.00`,
    tax: '1.20',
    gross: `${21 + index}.20`,
  };
}

function statementWith(lines: BillStatementLine[]): BillStatement {
  return {
    number: '2026-10-000001',
    period: '2026-10',
    status: 'FINALIZED',
    currency: 'CNY',
    finalizedAt: new Date('2026-11-01T02:00:00Z'),
    timezone: 'Asia/Shanghai',
    dueOn: '2026-12-15',
    seller: { name: '上海智算云服务有限公司', taxpayerId: '91310000MA1FL8XK2Q', bankName: '招商银行上海张江支行', bankAccount: '1219 0888 0010 888' },
    buyer: { name: BUYER, taxpayerId: '91110108MA01R2XK3Y', address: '北京市海淀区中关村大街 1 号' },
    taxMode: 'TAX_EXCLUSIVE',
    taxRate: '0.06',
    lines,
    totals: { net: '1234.56', tax: '74.07', gross: '1308.63', amountPaid: '0.00', amountDue: '1308.63' },
  };
}

const shortStatement = statementWith([
  ...[0, 1, 2].map(usageLine),
  {
    description: '数据平台组 · deepseek-chat 长上下文批量推理（夜间离峰时段，按百万 tokens 计费）',
    quantity: '12,345,678 tokens',
    unitPrice: '2.0000',
    net: '24.69',
    tax: '1.48',
    gross: '26.17',
  },
  { description: '折扣 Discount 10% · 标准型 STANDARD models', quantity: null, unitPrice: null, net: '-6.69', tax: '-0.40', gross: '-7.09' },
]);

describe('bill PDF', () => {
  it('renders page 1 with visible Chinese text in the embedded font', async () => {
    const pdf = await renderBillPdf(shortStatement);
    expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');

    const page = await rasterizePdfPage(pdf, 1);
    const pngPath = path.join(os.tmpdir(), 'bill-pdf-test-page-1.png');
    await writeFile(pngPath, page.png);
    expect(page.png.subarray(1, 4).toString('latin1')).toBe('PNG');
    expect(page.darkPixelRatio).toBeGreaterThan(0.01);
    expect(page.darkPixelRatio).toBeLessThan(0.5);

    const text = await pdfText(pdf, 1);
    expect(text).toContain(BUYER);
    expect(text).toContain('账单 Statement');
    expect(text).toContain('客户成功部');
    expect(text).toContain('1308.63');
    expect(text).toContain('第 1 页 / 共 1 页');
  });

  it('sets the title and a creation date taken from finalization', async () => {
    const info = await pdfInfo(await renderBillPdf(shortStatement));
    expect(info.Title).toBe('账单 Statement 2026-10-000001');
    expect(info.CreationDate).toBe('D:20261101020000Z');
  });

  it('renders the same statement to the same bytes', async () => {
    const [first, second] = await Promise.all([renderBillPdf(shortStatement), renderBillPdf(shortStatement)]);
    expect(first.equals(second)).toBe(true);
  });

  it('breaks 150 lines over several pages, each with the header row, a footer and ink', async () => {
    const lines = Array.from({ length: 150 }, (_, index) => usageLine(index));
    const pdf = await renderBillPdf(statementWith(lines));

    const pages = await pdfPageCount(pdf);
    expect(pages).toBeGreaterThan(1);
    let allText = '';
    for (let pageNumber = 1; pageNumber <= pages; pageNumber++) {
      const page = await rasterizePdfPage(pdf, pageNumber, 0.5);
      expect(page.darkPixelRatio).toBeGreaterThan(0.01);
      const text = await pdfText(pdf, pageNumber);
      // The totals block may fall on a page of its own, which has no table.
      if (text.includes('requests')) expect(text).toContain('Description');
      expect(text).toContain(`第 ${pageNumber} 页 / 共 ${pages} 页`);
      allText += text;
    }
    expect(allText).toContain('1000 requests');
    expect(allText).toContain('1149 requests');
    expect(allText).toContain('应付金额 Amount due');
  });

  it("prints unit prices, the status in both languages and the finalization time in the tenant's zone", async () => {
    const statement = statementWith([{ ...usageLine(0), unitPrice: 'in 2.5 /M tok\nout 10 /M tok\n0.0003 /req' }]);
    const text = await pdfText(await renderBillPdf({ ...statement, status: 'PARTIALLY_PAID', timezone: 'Asia/Shanghai' }), 1);
    expect(text).toContain('部分付款 Partially paid');
    expect(text).toContain('2026-11-01 10:00 (GMT+8)');
    for (const rate of ['in 2.5 /M tok', 'out 10 /M tok', '0.0003 /req']) expect(text).toContain(rate);
    expect(await pdfText(await renderBillPdf({ ...statement, timezone: 'America/New_York' }), 1)).toContain('2026-10-31 22:00 (GMT-4)');
  });

  it('never leaves the totals alone on a page: the last line goes with them', async () => {
    for (let count = 10; count <= 40; count++) {
      const pdf = await renderBillPdf(statementWith(Array.from({ length: count }, (_, index) => usageLine(index))));
      const pages = await pdfPageCount(pdf);
      const lastPage = await pdfText(pdf, pages);
      expect([count, lastPage.includes('应付金额 Amount due'), lastPage.includes(`${1000 + count - 1} requests`)]).toEqual([count, true, true]);
    }
  });

  it('renders a statement without lines', async () => {
    const pdf = await renderBillPdf(statementWith([]));
    expect(await pdfText(pdf, 1)).toContain('No charges this period');
  });
});
