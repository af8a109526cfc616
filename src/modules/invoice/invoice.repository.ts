import type { EntityManager } from '@mikro-orm/postgresql';
import { queryRows } from '../../platform/database/sql.js';
import type { InvoicedLine } from './invoice-lines.js';

/**
 * The next number of the year's series, "2026" + 16 digits. The counter row stays locked until
 * the issuing transaction ends, so numbers are handed out in commit order and a rollback returns
 * its number: the series has no gaps (a sequence would leave one).
 */
export async function nextInvoiceNumber(em: EntityManager, year: number): Promise<string> {
  const [row] = await queryRows<{ lastNumber: string }>(
    em,
    `insert into vat_invoice_number_counter (year, last_number) values ($1, 1)
     on conflict (year) do update set last_number = vat_invoice_number_counter.last_number + 1
     returning last_number::text as "lastNumber"`,
    [year],
  );
  return `${String(year).padStart(4, '0')}${row.lastNumber.padStart(16, '0')}`;
}

/** The lines of every invoice of a bill, red-letter ones negative: what has been invoiced per item. */
export function invoicedLinesOfBill(em: EntityManager, billId: string): Promise<InvoicedLine[]> {
  return queryRows(
    em,
    `select l.item, l.amount::text as amount, l.net::text as net, l.tax::text as tax, l.gross::text as gross
       from vat_invoice_line l join vat_invoice i on i.id = l.invoice_id where i.bill_id = $1`,
    [billId],
  );
}
