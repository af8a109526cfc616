import { Field, ObjectType, registerEnumType } from 'type-graphql';
import { UserErrorCode, type UserErrorData } from '../user-errors.js';

registerEnumType(UserErrorCode, {
  name: 'UserErrorCode',
  description: 'Why a mutation refused its input. Stable: clients may switch on it.',
  valuesConfig: {
    BLANK: {
      description:
        'A required value is missing, empty or only whitespace (or none of the values one of which is required was given). Send a value with at least one visible character.',
    },
    TOO_LONG: { description: 'The text or list is longer than the field allows (invoice party fields: 100 GBK bytes). Send a shorter value.' },
    TOO_SHORT: { description: "The text is shorter than the field's minimum length. Send a longer value." },
    TOO_SMALL: {
      description:
        "The number or amount is below the field's minimum (e.g. zero or negative, or a rate-limit ceiling below a limit in use). Send a larger value.",
    },
    TOO_LARGE: { description: "The number or amount is above the field's maximum (e.g. a rate limit above the tenant's ceiling). Send a smaller value." },
    INVALID: {
      description: 'The value has the wrong form, or breaks a rule between fields (e.g. two fields that exclude each other). Correct it as the message says.',
    },
    INVALID_CHARACTER: {
      description: 'The text holds NUL (U+0000) or an unpaired UTF-16 surrogate, which cannot be stored. Remove those characters.',
    },
    INVALID_ID: {
      description: 'The value is not an id of the expected type (wrong prefix, malformed or blank). Send an id of that type, as the API returned it.',
    },
    INVALID_TIMEZONE: {
      description: 'The value is not an IANA time zone name; offsets such as "+08:00" are not accepted. Send a name such as "Asia/Shanghai" or "UTC".',
    },
    INVALID_TAXPAYER_ID: {
      description: 'Not a valid unified social credit code (18 characters, GB 32100-2015, check character verified). Send the code exactly as registered.',
    },
    IN_PAST: { description: 'The instant (e.g. an expiry) is not in the future. Send a later instant.' },
    NOT_FOUND: {
      description: "The id or code names nothing that exists or that the caller can see (another tenant's objects are not found). Check the value.",
    },
    TAKEN: {
      description:
        "The value must be unique and is in use: an active sibling department's name (ignoring case) or a price version's effectiveFrom. Choose another value.",
    },
    CYCLE: { description: 'The move would put a department under itself or one of its descendants. Choose a parent outside its subtree.' },
    ARCHIVED: {
      description: 'The department is archived: it takes no changes, child departments or new API keys. Name an active department.',
    },
    HAS_ACTIVE_CHILDREN: {
      description: 'The department still has child departments that are not archived. Archive or move them first, then archive it.',
    },
    HAS_ACTIVE_API_KEYS: {
      description: 'The department still has API keys that are not revoked (expired ones count). Revoke them first, then archive it.',
    },
    INVALID_STATE: {
      description:
        'The object is in a state that does not allow this change (e.g. a revoked key, a terminated contract, a bill that is not open). Read the message; change its state first.',
    },
    NOT_PERMITTED: {
      description:
        "The caller's role may not set this field or grant this role (e.g. operator-only tenant fields). Leave it out, or have the operator make the change.",
    },
    PRICED_USAGE_EXISTS: {
      description:
        'Usage at or after effectiveFrom is already priced with the version the new one would supersede, and usage is never repriced. Choose a later effectiveFrom.',
    },
    IDEMPOTENCY_KEY_REUSED: {
      description:
        'The idempotencyKey was already used with different input. Use a new key for a new operation; repeat the first input exactly to get its result.',
    },
    ALREADY_REDEEMED: { description: 'The redemption code was already redeemed; each code is single use. Use another code.' },
    EXPIRED: { description: 'The redemption code passed its expiry before it was redeemed. Ask the operator for a new code.' },
    CURRENCY_MISMATCH: {
      description:
        "The currencies differ: a redemption code not in the tenant's billing currency, or a VAT invoice for a bill not in CNY. Redeem a code in the tenant's currency; invoice CNY bills only.",
    },
    OUT_OF_RANGE: {
      description:
        "The value is outside its range: an instant outside 1970 to 2199, a period outside 1970-01 to 2199-12, or a period outside the contract's term. Send one inside it.",
    },
    OVERLAPPING_CONTRACT: {
      description:
        "The new contract's term overlaps another contract of the tenant; one is in force at a time. Start it after that one ends, or terminate that one first.",
    },
    NOTICE_PERIOD: {
      description:
        "lastPeriod ends the contract before its cancellation notice, counted from today in the tenant's time zone, runs out. Choose the month it runs out in or later.",
    },
    PERIOD_BILLED: {
      description:
        "The tenant's period (or a later one) is settled: billed, or closed with nothing to bill; settled terms never change. Choose a period after the last settled one.",
    },
    PERIOD_NOT_ENDED: {
      description: "The period has not ended in the tenant's time zone (for all tenants: anywhere yet). Settle it once it has ended.",
    },
    OVERPAYMENT: { description: "The amount is more than the bill's amount due. Record at most amountDue." },
    INSUFFICIENT_BALANCE: {
      description: "The tenant's prepaid balance does not cover this BALANCE payment. Pay less from the balance, top it up first, or use another method.",
    },
    OVER_INVOICED: {
      description:
        "The invoice would take the bill's invoices past its subtotal: the bill is fully invoiced, or amount is above amountInvoiceable. Issue at most amountInvoiceable.",
    },
    ALREADY_REVERSED: { description: 'The invoice was already reversed by a red-letter invoice; an invoice is reversed once. Nothing more to do.' },
  },
});

@ObjectType('UserError', { description: 'An expected failure of a mutation, to show next to the field it names.' })
export class UserError implements UserErrorData {
  @Field(() => UserErrorCode, { description: 'Machine-readable reason.' })
  code!: UserErrorCode;

  @Field(() => [String], {
    nullable: true,
    description: 'Path to the input field at fault, from the argument: ["input", "name"]. Null when no one field is.',
  })
  field!: string[] | null;

  @Field({ description: 'Human-readable explanation naming the field and the rule.' })
  message!: string;
}
