/** Published on commit by every audited change, to every process (see audit.service `recordAudit`). */
export const AUDIT_ENTRY_RECORDED = 'AUDIT_ENTRY_RECORDED';

export interface AuditEvent {
  id: string;
  tenantId: string | null;
}
