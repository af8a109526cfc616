/**
 * Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
 * set (digits and capitals without I, O, S, V, Z), the last one a check character over the first 17.
 */
const CHARSET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export type CreditCodeProblem = 'LENGTH' | 'CHARACTER' | 'CHECK_DIGIT';

export function checkCharacter(first17: string): string {
  let sum = 0;
  for (let index = 0; index < 17; index += 1) sum += CHARSET.indexOf(first17[index]) * WEIGHTS[index];
  return CHARSET[(31 - (sum % 31)) % 31];
}

/** Returns what is wrong with a code, or undefined when it is valid. */
export function creditCodeProblem(code: string): CreditCodeProblem | undefined {
  if (code.length !== 18) return 'LENGTH';
  for (const character of code) if (!CHARSET.includes(character)) return 'CHARACTER';
  return checkCharacter(code.slice(0, 17)) === code[17] ? undefined : 'CHECK_DIGIT';
}

export const CREDIT_CODE_MESSAGES: Record<CreditCodeProblem, string> = {
  LENGTH: 'must be exactly 18 characters (GB 32100-2015)',
  CHARACTER: 'may contain only digits and capital letters other than I, O, S, V and Z (GB 32100-2015)',
  CHECK_DIGIT: 'has a wrong check character (GB 32100-2015)',
};
