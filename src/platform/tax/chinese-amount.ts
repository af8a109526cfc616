import { decimal, type Decimal } from '../money.js';

const DIGITS = '零壹贰叁肆伍陆柒捌玖';
const PLACES = ['', '拾', '佰', '仟'];
/** Four-digit groups from the lowest: units, 万 (10^4), 亿 (10^8), 万亿 (10^12). */
const GROUPS = ['', '万', '亿', '万亿'];

/** One four-digit group, zeros inside it read as one 零 ("1060" -> 壹仟零陆拾). */
function groupInWords(group: number): string {
  let words = '';
  let pendingZero = false;
  for (let place = 3; place >= 0; place -= 1) {
    const digit = Math.floor(group / 10 ** place) % 10;
    if (digit === 0) {
      pendingZero = words !== '';
      continue;
    }
    words += (pendingZero ? '零' : '') + DIGITS[digit] + PLACES[place];
    pendingZero = false;
  }
  return words;
}

function integerInWords(yuan: bigint): string {
  const groups: number[] = [];
  for (let rest = yuan; rest > 0n; rest /= 10_000n) groups.push(Number(rest % 10_000n));
  if (groups.length > GROUPS.length) throw new RangeError('amount too large for Chinese capitals');
  let words = '';
  let zeroBefore = false;
  for (let index = groups.length - 1; index >= 0; index -= 1) {
    const group = groups[index];
    if (group === 0) {
      zeroBefore = words !== '';
      continue;
    }
    const isLeading = words === '';
    // A gap to the next group ("10,0010" -> 壹拾万零壹拾) reads as one 零.
    const gap = !isLeading && (zeroBefore || group < 1000);
    words += (gap ? '零' : '') + groupInWords(group) + GROUPS[index];
    zeroBefore = false;
  }
  return words;
}

/**
 * An amount in the capital numerals of cheques and fapiao (中文大写金额), by the People's Bank of
 * China rules: 1060.00 -> 壹仟零陆拾元整, 0.05 -> 伍分, 1000000.07 -> 壹佰万元零柒分, 100010.50 ->
 * 壹拾万零壹拾元伍角. Negative amounts (red-letter invoices) are prefixed 负. At most 2 decimal places.
 */
export function amountInChineseCapitals(amount: string | Decimal): string {
  const value = decimal(amount);
  if (value.decimalPlaces() > 2) throw new RangeError(`amount must have at most 2 decimal places: ${value.toFixed()}`);
  const fen = BigInt(value.abs().times(100).toFixed(0));
  const yuan = fen / 100n;
  const jiao = Number((fen / 10n) % 10n);
  const cents = Number(fen % 10n);
  let words = yuan > 0n ? `${integerInWords(yuan)}元` : '';
  if (jiao === 0 && cents === 0) words = `${words || '零元'}整`;
  else {
    if (jiao > 0) words += `${DIGITS[jiao]}角`;
    else if (yuan > 0n) words += '零';
    if (cents > 0) words += `${DIGITS[cents]}分`;
  }
  return value.isNegative() && fen > 0n ? `负${words}` : words;
}
