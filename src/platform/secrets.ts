import { hash, randomBytes } from 'node:crypto';

/** Secrets carry a typed prefix so a leaked one is recognisable (and greppable by secret scanners). */
export const ACCESS_TOKEN_PREFIX = 'bpat_';
export const API_KEY_PREFIXES = { PRODUCTION: 'sk-live-', TEST: 'sk-test-' } as const;

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
/** 43 base62 characters carry 256 bits; we need at least 128. */
const SECRET_BODY_LENGTH = 43;
const DISPLAY_PREFIX_EXTRA = 6;

export function generateSecret(prefix: string): string {
  const bytes = randomBytes(SECRET_BODY_LENGTH * 2);
  let body = '';
  // Rejection sampling keeps every character uniform (248 = 4 * 62).
  for (const byte of bytes) {
    if (byte < 248) body += BASE62[byte % 62];
    if (body.length === SECRET_BODY_LENGTH) break;
  }
  if (body.length < SECRET_BODY_LENGTH) return generateSecret(prefix);
  return prefix + body;
}

/** SHA-256 in hex, one-shot (a third of createHash's cost: it runs twice on every gateway call). */
export function hashSecret(secret: string): string {
  return hash('sha256', secret, 'hex');
}

/** The part of a secret that is safe to display: its type prefix and a few characters. */
export function displayPrefix(secret: string, prefix: string): string {
  return secret.slice(0, prefix.length + DISPLAY_PREFIX_EXTRA);
}
