import type pg from 'pg';
import { parseTimestamptz } from '../../platform/database/sql.js';

/** An endpoint the dispatcher just disabled. */
export interface DisabledEndpoint {
  id: string;
  tenantId: string | null;
  url: string;
  failingSince: Date;
}

/** An endpoint answered: it is failing no more. Writes only when it was. */
export async function noteEndpointSuccess(client: pg.ClientBase, endpointId: string): Promise<void> {
  await client.query({
    name: 'webhook-endpoint-success',
    text: 'update webhook_endpoint set failing_since = null where id = $1 and failing_since is not null',
    values: [endpointId],
  });
}

/**
 * Attempts failed from `first` to `last`: the endpoint's run of failures starts at `first` unless
 * one is running. Once the run is `disableAfterMs` long, the endpoint is disabled (returned, once)
 * and receives nothing until its owner enables it again.
 */
export async function noteEndpointFailure(
  client: pg.ClientBase,
  endpointId: string,
  first: Date,
  last: Date,
  disableAfterMs: number,
): Promise<DisabledEndpoint | null> {
  const { rows } = await client.query<{ failingSince: string }>({
    name: 'webhook-endpoint-failure',
    text: `update webhook_endpoint set failing_since = coalesce(failing_since, $2) where id = $1 and status = 'ENABLED'
           returning failing_since::text as "failingSince"`,
    values: [endpointId, first],
  });
  if (rows.length === 0) return null;
  const failingSince = parseTimestamptz(rows[0].failingSince);
  if (last.getTime() - failingSince.getTime() < disableAfterMs) return null;
  const disabled = await client.query<{ id: string; tenantId: string | null; url: string }>({
    name: 'webhook-endpoint-disable',
    text: `update webhook_endpoint set status = 'DISABLED', disabled_reason = $2, updated_at = $3 where id = $1
           returning id, tenant_id as "tenantId", url`,
    values: [endpointId, `Disabled after every delivery failed from ${failingSince.toISOString()} on.`, last],
  });
  return { ...disabled.rows[0], failingSince };
}
