import { randomUUID } from 'node:crypto';
import {
  ApiKeyCreateDocument,
  ModelPriceSetDocument,
  UsageRecordDocument,
  UsageReserveDocument,
  type ApiKeyCreateInput,
  type ModelPriceSetInput,
  type UsageRecordItemInput,
  type UsageReserveInput,
} from '../generated/graphql.js';
import { buildWorld, type World } from './fixtures.js';
import { startTestApp, type GraphQLClient, type TestApp, type TestAppOptions } from './harness.js';

/** Rates used across the usage tests; awkward digits on purpose. */
export const PRICES = {
  chat: {
    model: 'chat-pro',
    tier: 'PREMIUM',
    inputPerMillionTokens: '2.5',
    outputPerMillionTokens: '10.0000000001',
    cachedInputPerMillionTokens: '1.25',
    perRequest: '0.0003',
  },
  embed: { model: 'embed-small', tier: 'ECONOMY', inputPerMillionTokens: '0.0200000007', outputPerMillionTokens: '0' },
  image: { model: 'paint-xl', tier: 'STANDARD', inputPerMillionTokens: '0', outputPerMillionTokens: '0', perImage: '0.04' },
  video: { model: 'motion-1', tier: 'PREMIUM', inputPerMillionTokens: '0', outputPerMillionTokens: '0', perVideoSecond: '0.3333333333' },
  audio: { model: 'voice-2', tier: 'STANDARD', inputPerMillionTokens: '6.1', outputPerMillionTokens: '24.3' },
} as const satisfies Record<string, Omit<ModelPriceSetInput, 'currency'>>;

export const PRICE_BOOK_START = '2026-01-01T00:00:00.000Z';
/** Keys in the usage tests are backdated to this instant, so historic usage is within their life. */
export const KEYS_CREATED_AT = '2026-01-01T00:00:00.000Z';

export async function setPrice(admin: GraphQLClient, input: ModelPriceSetInput) {
  const result = await admin.data(ModelPriceSetDocument, { input });
  if (result.modelPriceSet.userErrors.length) throw new Error(JSON.stringify(result.modelPriceSet.userErrors));
  return result.modelPriceSet.modelPrice!;
}

/** Every test price in CNY and USD, in force since PRICE_BOOK_START. */
export async function seedPriceBook(admin: GraphQLClient): Promise<void> {
  for (const currency of ['CNY', 'USD'] as const) {
    for (const price of Object.values(PRICES)) await setPrice(admin, { ...price, currency, effectiveFrom: PRICE_BOOK_START });
  }
}

async function backdateKeys(test: TestApp): Promise<void> {
  await test.sql.query('update api_key set created_at = $1', [KEYS_CREATED_AT]);
}

export interface CreatedKey {
  id: string;
  secret: string;
}

/** A new key, created through the API as `client` and backdated like the world's, so historic usage falls within its life. */
export async function createKey(
  test: TestApp,
  client: GraphQLClient,
  input: Partial<Omit<ApiKeyCreateInput, 'departmentId'>> & { departmentId: string },
): Promise<CreatedKey> {
  const created = (await client.data(ApiKeyCreateDocument, { input: { name: `key ${randomUUID()}`, environment: 'PRODUCTION', ...input } })).apiKeyCreate;
  if (!created.apiKey) throw new Error(`apiKeyCreate refused: ${JSON.stringify(created.userErrors)}`);
  await test.sql.query('update api_key set created_at = $1 where id = $2', [KEYS_CREATED_AT, created.apiKey.id]);
  return { id: created.apiKey.id, secret: created.secret! };
}

export interface UsageTest {
  test: TestApp;
  world: World;
  /** A GATEWAY client. */
  gateway: GraphQLClient;
}

/** A server with the two-tenant world, the test price book, and keys old enough for historic usage. */
export async function startUsageTest(options: TestAppOptions = {}): Promise<UsageTest> {
  const test = await startTestApp(options);
  const world = await buildWorld(test);
  await seedPriceBook(world.admin);
  await backdateKeys(test);
  return { test, world, gateway: test.client(world.gatewayToken) };
}

/** A successful chat record with a fresh requestId; override anything. */
export function usageItem(apiKeyId: string, overrides: Partial<UsageRecordItemInput> = {}): UsageRecordItemInput {
  return {
    requestId: `req-${randomUUID()}`,
    apiKeyId,
    model: PRICES.chat.model,
    occurredAt: new Date().toISOString(),
    kind: 'CHAT',
    status: 'SUCCEEDED',
    inputTokens: 1000,
    outputTokens: 500,
    cachedInputTokens: 0,
    ...overrides,
  };
}

/** usageReserve as the gateway sends it; fails the test on userErrors. */
export async function reserveUsage(gateway: GraphQLClient, input: UsageReserveInput) {
  const { usageReserve } = await gateway.data(UsageReserveDocument, { input });
  if (usageReserve.userErrors.length) throw new Error(`usageReserve refused its input: ${JSON.stringify(usageReserve.userErrors)}`);
  return { ...usageReserve.authorization!, reservation: usageReserve.reservation };
}

export async function recordUsage(gateway: GraphQLClient, records: UsageRecordItemInput[]) {
  return (await gateway.data(UsageRecordDocument, { input: { records } })).usageRecord;
}

const SCALE = 16;
const TEN = 10n;

/** A decimal string as an integer count of 10^-16 units: exact, with no decimal library. */
export function toUnits(value: string): bigint {
  const negative = value.startsWith('-');
  const [whole, fraction = ''] = value.replace('-', '').split('.');
  if (fraction.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${value}`);
  const units = BigInt(whole) * TEN ** BigInt(SCALE) + BigInt(fraction.padEnd(SCALE, '0'));
  return negative ? -units : units;
}

/** Units back to a canonical decimal string (trailing zeros dropped). */
export function fromUnits(units: bigint): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(SCALE + 1, '0');
  const whole = digits.slice(0, -SCALE);
  const fraction = digits.slice(-SCALE).replace(/0+$/, '');
  return `${negative ? '-' : ''}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** Canonical form of any decimal string, for comparing amounts printed with different scales. */
export function canonical(value: string): string {
  return fromUnits(toUnits(value));
}

type Rates = Partial<
  Record<'inputPerMillionTokens' | 'outputPerMillionTokens' | 'cachedInputPerMillionTokens' | 'perImage' | 'perVideoSecond' | 'perRequest', string>
>;

/**
 * The exact cost of a record, computed independently of the product's code: integer arithmetic
 * on 10^-16 units. A per-million rate times tokens, in those units, divided by 10^6.
 */
export function independentCost(rates: Rates, record: UsageRecordItemInput): bigint {
  const rate = (name: keyof Rates) => toUnits(rates[name] ?? '0');
  const perMillion =
    rate('inputPerMillionTokens') * BigInt(record.inputTokens ?? 0) +
    rate('outputPerMillionTokens') * BigInt(record.outputTokens ?? 0) +
    rate('cachedInputPerMillionTokens') * BigInt(record.cachedInputTokens ?? 0);
  if (perMillion % 1_000_000n !== 0n) throw new Error('cost needs more than 16 decimals');
  return (
    perMillion / 1_000_000n + rate('perImage') * BigInt(record.imageCount ?? 0) + rate('perVideoSecond') * BigInt(record.videoSeconds ?? 0) + rate('perRequest')
  );
}
