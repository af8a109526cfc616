import { CurrencyCode, decimal, formatAmount, isDecimalString, roundToMinorUnit } from '../../src/platform/money.js';

describe('money', () => {
  it.each([
    ['0.005', '0.01'],
    ['0.0049999999', '0.00'],
    ['-0.005', '-0.01'],
    ['1.005', '1.01'],
    ['2.675', '2.68'],
    ['1234567890123.4550000001', '1234567890123.46'],
  ])('rounds %s half-up to %s fen', (amount, expected) => {
    expect(roundToMinorUnit(decimal(amount), CurrencyCode.CNY).toFixed(2)).toBe(expected);
  });

  it('keeps tokens x price / 1,000,000 exact where a float would not', () => {
    const cost = decimal('123457').times('2.5').dividedBy(1_000_000);
    expect(cost.toFixed()).toBe('0.3086425');
    expect(decimal('0.1').plus('0.2').toFixed()).toBe('0.3');
  });

  it('formats amounts without exponents and with at least the minor unit', () => {
    expect(formatAmount(decimal('1e-10'), CurrencyCode.CNY)).toBe('0.0000000001');
    expect(formatAmount(decimal('20000'), CurrencyCode.CNY)).toBe('20000.00');
  });

  it.each(['1.5', '-3', '0', '12345678901234567890.12'])('accepts %s as a decimal string', (value) => {
    expect(isDecimalString(value)).toBe(true);
  });

  it.each(['1e5', ' 1', '01', '.5', '1.', 'NaN', 'Infinity', '1,5', ''])('refuses %p as a decimal string', (value) => {
    expect(isDecimalString(value)).toBe(false);
  });
});
