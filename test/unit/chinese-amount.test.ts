import { amountInChineseCapitals } from '../../src/platform/tax/chinese-amount.js';

describe('amounts in Chinese capital numerals (价税合计大写)', () => {
  it.each([
    ['0.05', '伍分'],
    ['0.50', '伍角'],
    ['0.00', '零元整'],
    ['10.00', '壹拾元整'],
    ['15.00', '壹拾伍元整'],
    ['1060.00', '壹仟零陆拾元整'],
    ['1409.02', '壹仟肆佰零玖元零贰分'],
    ['1680.32', '壹仟陆佰捌拾元叁角贰分'],
    ['100010.50', '壹拾万零壹拾元伍角'],
    ['101000.00', '壹拾万壹仟元整'],
    ['1000000.07', '壹佰万元零柒分'],
    ['20000000.00', '贰仟万元整'],
    ['100100000.00', '壹亿零壹拾万元整'],
    ['100000001.00', '壹亿零壹元整'],
    ['30005000.60', '叁仟万伍仟元陆角'],
    ['1000000000000.00', '壹万亿元整'],
    ['-1060.00', '负壹仟零陆拾元整'],
    ['-0.05', '负伍分'],
  ])('%s -> %s', (amount, words) => {
    expect(amountInChineseCapitals(amount)).toBe(words);
  });

  it('refuses amounts finer than a fen: it never rounds', () => {
    expect(() => amountInChineseCapitals('1.005')).toThrow(RangeError);
  });
});
