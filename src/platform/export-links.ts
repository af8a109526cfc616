import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { Entity, PrimaryKey, Property } from '@mikro-orm/decorators/legacy';
import type pg from 'pg';
import type { Clock } from './clock.js';

/**
 * Signed export links: absolute URLs that open an export without an Authorization header (a
 * portal can link them, an email can carry them) for a short while, as the token that asked for
 * them, with that token's visibility. The signature (HMAC-SHA256) covers the path, every query
 * parameter, the token id and the expiry; the token must still be active when the link is opened.
 */
export class ExportLinks {
  constructor(
    private readonly key: Buffer,
    private readonly baseUrl: () => string,
    private readonly ttlSeconds: number,
    private readonly clock: Clock,
  ) {}

  /** A link to `path` with `query`, opening as `tokenId` until it expires. */
  sign(path: string, query: Record<string, string>, tokenId: string): SignedLink {
    const expiresAt = new Date((Math.floor(this.clock.now().getTime() / 1000) + this.ttlSeconds) * 1000);
    const parameters = new URLSearchParams({ ...query, token: tokenId, expires: String(expiresAt.getTime() / 1000) });
    parameters.set('signature', this.signature(path, parameters));
    return { url: `${this.baseUrl()}${path}?${parameters}`, expiresAt };
  }

  /** Links to one path in several formats (`{ pdf: '.pdf', csvGbk: '.csv?encoding=gbk' }`), expiring together. */
  signFormats<Format extends string>(
    basePath: string,
    formats: Record<Format, { suffix: string; query?: Record<string, string> }>,
    query: Record<string, string>,
    tokenId: string,
  ): Record<Format, string> & { expiresAt: Date } {
    let expiresAt = new Date(0);
    const urls = Object.fromEntries(
      Object.entries<{ suffix: string; query?: Record<string, string> }>(formats).map(([format, { suffix, query: extra }]) => {
        const link = this.sign(`${basePath}${suffix}`, { ...query, ...extra }, tokenId);
        expiresAt = link.expiresAt;
        return [format, link.url];
      }),
    ) as Record<Format, string>;
    return Object.assign(urls, { expiresAt });
  }

  /** Whether a request carries a signature at all (otherwise it must send a bearer token). */
  static isSigned(query: URLSearchParams): boolean {
    return query.has('signature');
  }

  /** The token a signed request opens as, or why it does not open. */
  verify(path: string, query: URLSearchParams): { tokenId: string } | { problem: 'LINK_INVALID' | 'LINK_EXPIRED'; message: string } {
    const given = Buffer.from(query.get('signature') ?? '', 'base64url');
    const unsigned = new URLSearchParams([...query].filter(([name]) => name !== 'signature'));
    const expected = Buffer.from(this.signature(path, unsigned), 'base64url');
    const tokenId = query.get('token');
    if (!tokenId || given.length !== expected.length || !timingSafeEqual(given, expected)) {
      return { problem: 'LINK_INVALID', message: 'The link is not one this service signed, or it was changed. Ask the API for a new one (exportUrls).' };
    }
    const expiresAt = Number(query.get('expires')) * 1000;
    if (!(expiresAt > this.clock.now().getTime())) {
      return { problem: 'LINK_EXPIRED', message: `The link expired at ${new Date(expiresAt).toISOString()}. Ask the API for a new one (exportUrls).` };
    }
    return { tokenId };
  }

  /** HMAC of the method, path and the parameters in a fixed order. */
  private signature(path: string, parameters: URLSearchParams): string {
    const canonical = [...parameters].sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return createHmac('sha256', this.key)
      .update(`GET\n${path}\n${new URLSearchParams(canonical)}`)
      .digest('base64url');
  }
}

export interface SignedLink {
  url: string;
  expiresAt: Date;
}

/** The key export links are signed with: made once, kept in the database, so every instance signs and checks alike. */
@Entity({ tableName: 'url_signing_key' })
export class UrlSigningKey {
  /** Always 1: there is one key. */
  @PrimaryKey({ type: 'integer', autoincrement: false })
  id!: number;

  @Property({ type: 'text' })
  secret!: string;
}

export async function loadUrlSigningKey(pool: pg.Pool): Promise<Buffer> {
  await pool.query(`insert into url_signing_key (id, secret) values (1, $1) on conflict (id) do nothing`, [randomBytes(32).toString('hex')]);
  const { rows } = await pool.query<{ secret: string }>(`select secret from url_signing_key where id = 1`);
  return Buffer.from(rows[0].secret, 'hex');
}
