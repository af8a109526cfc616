import { setTimeout as sleep } from 'node:timers/promises';
import type { ApolloServerPlugin } from '@apollo/server';
import type { EntityManager, MikroORM } from '@mikro-orm/postgresql';
import type { DocumentNode, OperationDefinitionNode } from 'graphql';
import type pg from 'pg';
import { Role } from '../auth/roles.js';
import type { Actor } from '../auth/actor.js';
import type { Logger } from '../logger.js';
import type { Metrics } from '../metrics.js';
import type { ReadRoute } from '../http/request-facts.js';
import { rootFields } from '../graphql/root-fields.js';
import type { RequestContext } from '../../context.js';
import { nativePool } from './sql.js';
import { entityManagerFor } from './tenant-scope.js';

/**
 * Reads that may go to a streaming replica (DATABASE_READ_URL): ERP pulls, exports and reports.
 * Everything else (writes, the gateway's checks, subscriptions, what a portal shows after a change)
 * reads the primary.
 *
 * Read-your-writes: after a caller's mutation commits, the primary's WAL position is kept as that
 * caller's (`read_position`, on the primary, so every instance sees it). A read routed to the
 * replica first waits, up to DATABASE_READ_MAX_WAIT, for the replica to have replayed that
 * position; if it has not by then, or the replica cannot be reached, the read goes to the primary.
 * A caller that never wrote reads the replica as it is.
 */

/** Report fields: a query of only these (and `__typename`) reads the replica, whoever asks. */
const REPORT_FIELDS: ReadonlySet<string> = new Set(['usageSummary', 'usageRecords', '__typename']);

/** How often a read waiting for the replica to catch up asks it again. */
const CATCH_UP_POLL_MS = 5;

/** Whether a GraphQL operation is an ERP pull or a report. */
function readsReplica(actor: Actor, operation: OperationDefinitionNode, document: DocumentNode): boolean {
  if (operation.operation !== 'query') return false;
  if (actor.role === Role.ERP) return true;
  return rootFields(operation.selectionSet, document).every((field) => REPORT_FIELDS.has(field));
}

export interface ReadReplicaSettings {
  /** How long a read waits for the replica to replay the caller's last write before it goes to the primary. */
  maxWaitMs: number;
}

export class ReadReplica {
  private constructor(
    readonly orm: MikroORM,
    private readonly primary: pg.Pool,
    private readonly replica: pg.Pool,
    private readonly settings: ReadReplicaSettings,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {}

  static async open(orm: MikroORM, primary: pg.Pool, settings: ReadReplicaSettings, logger: Logger, metrics: Metrics): Promise<ReadReplica> {
    const replica = await nativePool(orm.em);
    // A replica restarting ends its idle connections; the pool drops them, and the next read reconnects.
    replica.on('error', (error) => logger.warn({ err: error }, 'a read replica connection ended'));
    return new ReadReplica(orm, primary, replica, settings, logger, metrics);
  }

  /**
   * Keeps the primary's WAL position as this caller's last write: call it after a write committed,
   * before the caller hears back. The gateway reads nothing routed here, so its writes are not kept.
   */
  async noteWrite({ tokenId, role }: Pick<Actor, 'tokenId' | 'role'>): Promise<void> {
    if (role === Role.GATEWAY) return;
    // The write itself has committed: a position that cannot be kept costs read-your-writes, not the answer.
    await this.primary
      .query({
        name: 'read-position-note',
        text: `insert into read_position (token_id, lsn, updated_at) values ($1, pg_current_wal_lsn(), now())
               on conflict (token_id) do update set lsn = greatest(read_position.lsn, excluded.lsn), updated_at = excluded.updated_at`,
        values: [tokenId],
      })
      .catch((error: unknown) => this.logger.warn({ err: error }, "keeping the caller's write position failed: its next routed reads may not see that write"));
  }

  /**
   * The EntityManager a routed read of this caller uses: the replica's, once it has replayed the
   * caller's last write, or undefined for the primary's.
   */
  async reader(actor: Actor): Promise<{ route: ReadRoute; em?: EntityManager }> {
    const route = await this.route(await this.lastWrite(actor));
    this.metrics.readRoutes.inc({ route });
    return route === 'replica' ? { route, em: this.orm.em } : { route };
  }

  /** The caller's last write position on the primary; '0/0' for one that never wrote (an ERP token writes nothing, so is not looked up). */
  private async lastWrite({ tokenId, role }: Actor): Promise<string> {
    if (role === Role.ERP) return '0/0';
    const { rows } = await this.primary.query<{ lsn: string }>({
      name: 'read-position-find',
      text: 'select lsn::text from read_position where token_id = $1',
      values: [tokenId],
    });
    return rows[0]?.lsn ?? '0/0';
  }

  private async route(position: string): Promise<ReadRoute> {
    const deadline = performance.now() + this.settings.maxWaitMs;
    try {
      for (;;) {
        // Null when the server is not replaying (DATABASE_READ_URL names a primary): nothing to wait for.
        const { rows: replayed } = await this.replica.query<{ isCaughtUp: boolean }>({
          name: 'read-position-replayed',
          text: 'select coalesce(pg_last_wal_replay_lsn() >= $1::pg_lsn, true) as "isCaughtUp"',
          values: [position],
        });
        if (replayed[0].isCaughtUp) return 'replica';
        if (performance.now() >= deadline) return 'primary_lagging';
        await sleep(CATCH_UP_POLL_MS);
      }
    } catch (error) {
      this.logger.warn({ err: error }, 'the read replica cannot be reached: reading the primary');
      return 'primary_unreachable';
    }
  }

  close(): Promise<void> {
    return this.orm.close();
  }
}

/** Points a routed read's context at the replica when it may read there, noting where it read. */
export async function routeReads(replica: ReadReplica, context: RequestContext): Promise<void> {
  const { route, em } = await replica.reader(context.actor);
  if (em) context.em = entityManagerFor(em, context.actor);
  if (context.requestFacts) context.requestFacts.readFrom = route;
}

/** Sends a GraphQL operation's reads to the replica when it is an ERP pull or a report, and keeps where a mutation's writes reached. */
export function readRoutingPlugin(replica: ReadReplica): ApolloServerPlugin<RequestContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ operation, document, contextValue }) {
          if (operation && readsReplica(contextValue.actor, operation, document)) await routeReads(replica, contextValue);
        },
        async willSendResponse({ operation, contextValue }) {
          if (operation?.operation === 'mutation') await replica.noteWrite(contextValue.actor);
        },
      };
    },
  };
}
