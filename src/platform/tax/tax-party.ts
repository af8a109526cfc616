import iconv from 'iconv-lite';
import { z } from 'zod';
import { UserErrorCode } from '../user-errors.js';
import { CREDIT_CODE_MESSAGES, creditCodeProblem } from './unified-social-credit-code.js';

/**
 * A party of a VAT invoice (seller or buyer) as the tax system prints it. Invoicing software
 * stores text in GBK and limits fields by bytes (a Chinese character counts 2): name, "address
 * and phone" and "bank and account" at most 100 bytes each.
 */
export interface TaxParty {
  legalName: string;
  taxpayerId: string | null;
  address: string | null;
  phone: string | null;
  bankName: string | null;
  bankAccount: string | null;
}

export const PARTY_FIELD_BYTES = 100;

/** Bytes of `text` in GBK, or undefined when it holds a character GBK cannot encode. */
export function gbkByteLength(text: string): number | undefined {
  const bytes = iconv.encode(text, 'gbk');
  return iconv.decode(bytes, 'gbk') === text ? bytes.length : undefined;
}

/** Text in the GBK character set, trimmed; blank becomes null. */
const gbkText = z
  .string()
  .trim()
  .refine((text) => gbkByteLength(text) !== undefined, 'may contain only characters of the GBK set that invoices are printed in')
  .transform((text) => (text === '' ? null : text));

/** A unified social credit code (GB 32100-2015), upper-cased, its check character verified. */
export const taxpayerIdSchema = z
  .string()
  .trim()
  .toUpperCase()
  .superRefine((code, context) => {
    const problem = creditCodeProblem(code);
    if (problem) context.addIssue({ code: 'custom', message: CREDIT_CODE_MESSAGES[problem], params: { code: UserErrorCode.INVALID_TAXPAYER_ID } });
  });

function byteTotal(...texts: (string | null | undefined)[]): number {
  return texts.reduce((sum, text) => sum + (typeof text === 'string' ? (gbkByteLength(text) ?? 0) : 0), 0);
}

const BLANK = { message: 'must not be blank', params: { code: UserErrorCode.BLANK } };
/** Absent, null and blank are all "missing" for a required field, reported as BLANK. */
const requiredGbkText = z.preprocess(
  (value) => value ?? '',
  gbkText.refine((text) => text !== null, BLANK),
);
const optionalGbkText = gbkText.nullish().transform((text) => text ?? null);
const requiredTaxpayerId = z.preprocess(
  (value) => value ?? '',
  z
    .string()
    .trim()
    .refine((code) => code !== '', BLANK)
    .pipe(taxpayerIdSchema),
);
const optionalTaxpayerId = z.preprocess(
  (value) => (typeof value === 'string' && value.trim() === '' ? null : value),
  taxpayerIdSchema.nullish().transform((code) => code ?? null),
);

/** Fields limited together, reported on the first of them. */
const BYTE_LIMITS: (keyof TaxParty)[][] = [['legalName'], ['address', 'phone'], ['bankName', 'bankAccount']];

/**
 * A party as given: what every invoice party must satisfy. `requireTaxpayerId` for a seller and
 * for the buyer of a SPECIAL invoice; `requireDetails` (address, phone, bank, account) for a seller.
 */
export function taxPartySchema(options: { requireTaxpayerId: boolean; requireDetails: boolean }): z.ZodType<TaxParty> {
  const detail = options.requireDetails ? requiredGbkText : optionalGbkText;
  const schema = z
    .object({
      legalName: requiredGbkText,
      taxpayerId: options.requireTaxpayerId ? requiredTaxpayerId : optionalTaxpayerId,
      address: detail,
      phone: detail,
      bankName: detail,
      bankAccount: detail,
    })
    .superRefine((party, context) => {
      for (const [field, partner] of BYTE_LIMITS) {
        const bytes = byteTotal(party[field], partner ? party[partner] : null);
        if (bytes <= PARTY_FIELD_BYTES) continue;
        context.addIssue({
          code: 'custom',
          path: [field],
          message: `${partner ? `together with ${partner} ` : ''}must be at most ${PARTY_FIELD_BYTES} bytes in GBK (a Chinese character counts 2), got ${bytes}`,
          params: { code: UserErrorCode.TOO_LONG },
        });
      }
    });
  return schema as unknown as z.ZodType<TaxParty>;
}
