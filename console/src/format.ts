const SYMBOLS: Record<string, string> = { CNY: '¥', USD: '$', EUR: '€', HKD: 'HK$' };

/** A decimal string rounded half-up to the fen, by its digits, never through a float: "2.00030000001" is "2.00", "0.125" is "0.13". */
function toFen(amount: string): { negative: boolean; whole: string; cents: string } {
  const [whole, fraction = ''] = amount.replace('-', '').split('.');
  const fen = BigInt(whole + fraction.padEnd(2, '0').slice(0, 2)) + ((fraction[2] ?? '0') >= '5' ? 1n : 0n);
  const text = fen.toString().padStart(3, '0');
  return { negative: amount.startsWith('-') && fen > 0n, whole: text.slice(0, -2), cents: text.slice(-2) };
}

/** A money amount for people: to the fen (half-up), grouped by thousands, with the currency's sign. */
export function money(value: { amount: string; currency: string } | null | undefined): string {
  if (!value) return '—';
  const { negative, whole, cents } = toFen(value.amount);
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return `${negative ? '-' : ''}${SYMBOLS[value.currency] ?? `${value.currency} `}${grouped}.${cents}`;
}

/** An instant in the viewer's locale and time zone. */
export function instant(value: string | null | undefined, language: string): string {
  return value ? new Date(value).toLocaleString(language === 'zh' ? 'zh-CN' : 'en-GB') : '—';
}

/** A percentage as the API gives it ("12.5"), for a bar's width. */
export function percent(value: string | null | undefined): number {
  return value === null || value === undefined ? 0 : Math.min(100, Math.max(0, Number(value)));
}
