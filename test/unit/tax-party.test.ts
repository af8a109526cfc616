import { gbkByteLength, taxPartySchema } from '../../src/platform/tax/tax-party.js';
import { UserInputErrors } from '../../src/platform/user-errors.js';
import { validateInput } from '../../src/platform/validation.js';

const special = taxPartySchema({ requireTaxpayerId: true, requireDetails: false });
const seller = taxPartySchema({ requireTaxpayerId: true, requireDetails: true });

function problems(schema: typeof special, input: Record<string, unknown>) {
  try {
    validateInput(schema, input, ['input', 'buyer']);
  } catch (error) {
    if (error instanceof UserInputErrors) return error.errors.map(({ code, field }) => `${code} ${field?.join('.')}`);
    throw error;
  }
  return [];
}

describe('invoice parties', () => {
  it('counts GBK bytes: a Chinese character is 2, ASCII 1; characters outside GBK are refused', () => {
    expect(gbkByteLength('上海 AB')).toBe(7);
    expect(gbkByteLength('emoji 😀')).toBeUndefined();
  });

  it('normalises: trimmed, upper-cased taxpayer id, blanks become null', () => {
    expect(validateInput(special, { legalName: ' 小米科技有限责任公司 ', taxpayerId: '91110108551385082q', address: ' ' })).toEqual({
      legalName: '小米科技有限责任公司',
      taxpayerId: '91110108551385082Q',
      address: null,
      phone: null,
      bankName: null,
      bankAccount: null,
    });
  });

  it('needs a name, and for a SPECIAL buyer or a seller a taxpayer id', () => {
    expect(problems(special, {})).toEqual(['BLANK input.buyer.legalName', 'BLANK input.buyer.taxpayerId']);
    expect(problems(taxPartySchema({ requireTaxpayerId: false, requireDetails: false }), { legalName: '张三' })).toEqual([]);
  });

  it('validates a taxpayer id when one is given, even where it is optional', () => {
    expect(problems(taxPartySchema({ requireTaxpayerId: false, requireDetails: false }), { legalName: '张三', taxpayerId: '91110108551385082X' })).toEqual([
      'INVALID_TAXPAYER_ID input.buyer.taxpayerId',
    ]);
  });

  it('limits address with phone, and bank with account, to 100 GBK bytes together', () => {
    const fits = { legalName: '甲', taxpayerId: '91110108551385082Q', address: '北'.repeat(44), phone: '021-12345678' }; // 88 + 12
    expect(problems(special, fits)).toEqual([]);
    expect(problems(special, { ...fits, phone: '021-123456789' })).toEqual(['TOO_LONG input.buyer.address']);
    expect(problems(special, { ...fits, bankName: '招商银行'.repeat(12), bankAccount: '12345' })).toEqual(['TOO_LONG input.buyer.bankName']);
    expect(problems(special, { ...fits, legalName: '公'.repeat(51) })).toEqual(['TOO_LONG input.buyer.legalName']);
  });

  it('requires every detail of a seller', () => {
    expect(problems(seller, { legalName: '上海智算云服务有限公司', taxpayerId: '91330106673959654P' })).toEqual([
      'BLANK input.buyer.address',
      'BLANK input.buyer.phone',
      'BLANK input.buyer.bankName',
      'BLANK input.buyer.bankAccount',
    ]);
  });
});
