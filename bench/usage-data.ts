import type pg from 'pg';
import { newId } from '../src/platform/ids.js';
import { usageCost } from '../src/modules/price/rating.js';
import type { UsageRecordItemInput } from '../test/generated/graphql.js';
import type { BenchWorld } from './world.js';

/** A small seeded generator, so a batch name always yields the same records. */
function generator(seed: string): () => number {
  let state = [...seed].reduce((hash, character) => Math.imul(hash ^ character.charCodeAt(0), 16_777_619), 2_166_136_261) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let value = state;
    value = Math.imul(value ^ (value >>> 15), value | 1);
    value ^= value + Math.imul(value ^ (value >>> 7), value | 61);
    return ((value ^ (value >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/**
 * One gateway batch: records spread over every key (so every tenant, department and key scope
 * moves), mostly chat, 3 % failed, occurred within the last second.
 */
export function usageBatch(world: BenchWorld, name: string, size: number): UsageRecordItemInput[] {
  const random = generator(name);
  const now = Date.now();
  return Array.from({ length: size }, (_unused, index) => {
    const key = world.keys[Math.floor(random() * world.keys.length)];
    const model = world.models[Math.floor(random() * world.models.length)];
    return {
      requestId: `${name}-${index}`,
      apiKeyId: key.id,
      model,
      occurredAt: new Date(now - Math.floor(random() * 1000)).toISOString(),
      kind: model === 'bench-embed' ? 'EMBEDDING' : 'CHAT',
      status: random() < 0.03 ? 'FAILED' : 'SUCCEEDED',
      inputTokens: Math.floor(random() * 8000),
      outputTokens: Math.floor(random() * 2000),
      cachedInputTokens: Math.floor(random() * 1000),
      imageCount: 0,
      videoSeconds: 0,
      endUserTag: `user-${Math.floor(random() * 500)}`,
    };
  });
}

const COLUMNS = [
  'id',
  'tenant_id',
  'department_id',
  'api_key_id',
  'request_id',
  'model',
  'price_id',
  'kind',
  'status',
  'input_tokens',
  'output_tokens',
  'cached_input_tokens',
  'image_count',
  'video_seconds',
  'cost',
  'charged_amount',
  'is_charged',
  'charge_reason',
  'currency',
  'end_user_tag',
  'task_id',
  'occurred_at',
  'recorded_at',
];

/** The ceiling: the same rows as one plain multi-row INSERT into a copy of usage_record (same indexes), nothing else. */
export async function rawInsert(sql: pg.Pool, records: UsageRecordItemInput[], world: BenchWorld): Promise<void> {
  const keyById = new Map(world.keys.map((key) => [key.id, key]));
  const recordedAt = new Date();
  const values: unknown[] = [];
  const rows = records.map((record) => {
    const key = keyById.get(String(record.apiKeyId))!;
    const price = world.prices.get(record.model)!;
    const cost = usageCost(price, { inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, imageCount: 0, videoSeconds: 0, ...record }).toFixed();
    const charged = record.status === 'SUCCEEDED';
    const row = [
      newId('UsageRecord'),
      key.tenantId,
      key.departmentId,
      key.id,
      record.requestId,
      record.model,
      price.id,
      record.kind,
      record.status,
      record.inputTokens,
      record.outputTokens,
      record.cachedInputTokens,
      record.imageCount,
      record.videoSeconds,
      cost,
      charged ? cost : '0',
      charged,
      charged ? 'SUCCEEDED' : 'FAILED_NOT_CHARGED_BY_POLICY',
      'CNY',
      record.endUserTag ?? null,
      null,
      record.occurredAt,
      recordedAt,
    ];
    const placeholders = row.map((value) => `$${values.push(value)}`);
    return `(${placeholders.join(', ')})`;
  });
  await sql.query(`insert into bench_raw_usage (${COLUMNS.join(', ')}) values ${rows.join(', ')}`, values);
}
