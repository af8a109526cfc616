import { checkCharacter, creditCodeProblem } from '../../src/platform/tax/unified-social-credit-code.js';

describe('unified social credit code (GB 32100-2015)', () => {
  // Codes of real companies, as published on their business licences.
  it.each([
    ['9144030071526726XG', '腾讯科技(深圳)有限公司'],
    ['91330100799655058B', '阿里巴巴(中国)有限公司'],
    ['914403001922038216', '华为技术有限公司'],
    ['91110000802100433B', '北京百度网讯科技有限公司'],
    ['91110108551385082Q', '小米科技有限责任公司'],
  ])('accepts %s (%s)', (code) => {
    expect(creditCodeProblem(code)).toBeUndefined();
  });

  it.each(['91310115MA1K4XYN0L', '91110108MA01R2DE3E', '91440300MA5G8NKR72', '91330100MA27X8HL5R', '92320507MA1MXW0T6K', '91500000MA60L2QR1U'])(
    'accepts %s',
    (code) => {
      expect(creditCodeProblem(code)).toBeUndefined();
    },
  );

  it('refuses a wrong check character', () => {
    expect(creditCodeProblem('91310115MA1K4XYN01')).toBe('CHECK_DIGIT');
  });

  it('refuses the wrong length', () => {
    expect(creditCodeProblem('91310115MA1K4XYN0')).toBe('LENGTH');
    expect(creditCodeProblem('91310115MA1K4XYN0L0')).toBe('LENGTH');
  });

  it.each(['I', 'O', 'S', 'V', 'Z', 'a'])('refuses the forbidden character %s', (letter) => {
    expect(creditCodeProblem(`9131011${letter}MA1K4XYN0L`)).toBe('CHARACTER');
  });

  it('maps a remainder of 0 to check character 0', () => {
    // 17 zeros weigh nothing: 31 - 0 = 31, which the standard maps to 0.
    expect(checkCharacter('00000000000000000')).toBe('0');
  });
});
