/** The secret of an `Authorization: Bearer <secret>` header (or WebSocket connection parameter). */
export function bearerSecret(header: unknown): string | undefined {
  if (typeof header !== 'string') return undefined;
  const match = /^Bearer\s+(\S+)$/i.exec(header.trim());
  return match?.[1];
}
