// Integer money for independent recomputations in tests: fen and basis points as BigInt, nothing from src.

/** n / d rounded half-up (away from zero), in integers. */
export function roundDiv(n: bigint, d: bigint): bigint {
  const negative = n < 0n !== d < 0n;
  const [absN, absD] = [n < 0n ? -n : n, d < 0n ? -d : d];
  const rounded = (absN * 2n + absD) / (absD * 2n);
  return negative ? -rounded : rounded;
}

/** "1234.5" -> 123450n fen. */
export function fen(amount: string): bigint {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const value = BigInt(whole) * 100n + BigInt(fraction.padEnd(2, '0'));
  return amount.startsWith('-') ? -value : value;
}

/** 123450n fen -> "1234.50". */
export function fenText(value: bigint): string {
  const sign = value < 0n ? '-' : '';
  const magnitude = value < 0n ? -value : value;
  return `${sign}${magnitude / 100n}.${String(magnitude % 100n).padStart(2, '0')}`;
}
