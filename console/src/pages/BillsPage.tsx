import { useEffect, useState } from 'react';
import type { Api } from '../api';
import { money } from '../format';
import { ConsoleBillsDocument, type ConsoleBillsQuery } from '../generated/graphql';
import { useLabel, useText } from '../i18n';
import { HeadRow } from '../table';

/** Bills and VAT invoices with their documents (PDF, XLSX, CSV, JSON), as the signed links the API gives (fresh every ten minutes). */
export function BillsPage({ api, tenantId }: { api: Api; tenantId: string | null }) {
  const text = useText();
  const label = useLabel();
  const [documents, setDocuments] = useState<ConsoleBillsQuery | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    const load = () =>
      api
        .request(ConsoleBillsDocument, { tenantId })
        .then(setDocuments)
        .catch((caught: Error) => setError(caught.message));
    void load();
    // The links open for 15 minutes: read them again before they expire.
    const refresh = setInterval(load, 10 * 60_000);
    return () => clearInterval(refresh);
  }, [api, tenantId]);

  if (!documents) return error ? <p className="error">{error}</p> : <p>{text('loading')}</p>;
  return (
    <section>
      <h2>{text('bills')}</h2>
      {error && <p className="error">{error}</p>}
      {documents.bills.nodes.length === 0 ? (
        <p className="muted">{text('none')}</p>
      ) : (
        <table className="bills">
          <HeadRow columns={['number', 'period', 'tenant', 'status', 'total', 'due', 'documents']} />
          <tbody>
            {documents.bills.nodes.map((bill) => (
              <tr key={bill.id}>
                <td>{bill.number ?? '—'}</td>
                <td>{bill.period}</td>
                <td>{bill.tenant.name}</td>
                <td>
                  <span className="tag">{label(bill.status)}</span>
                </td>
                <td>{money(bill.total.gross)}</td>
                <td>{bill.dueOn ?? '—'}</td>
                <DocumentLinks urls={{ PDF: bill.exportUrls.pdf, XLSX: bill.exportUrls.xlsx, CSV: bill.exportUrls.csv, JSON: bill.exportUrls.json }} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>{text('invoices')}</h2>
      {documents.vatInvoices.nodes.length === 0 ? (
        <p className="muted">{text('none')}</p>
      ) : (
        <table className="invoices">
          <HeadRow columns={['number', 'issuedOn', 'bill', 'type', 'status', 'total', 'documents']} />
          <tbody>
            {documents.vatInvoices.nodes.map((invoice) => (
              <tr key={invoice.id}>
                <td>{invoice.number}</td>
                <td>{invoice.issuedOn}</td>
                <td>{invoice.bill.number ?? '—'}</td>
                <td>
                  {label(invoice.type)}
                  {invoice.isRedLetter && ` (${text('redLetter')})`}
                </td>
                <td>
                  <span className="tag">{label(invoice.status)}</span>
                </td>
                <td>{money(invoice.total.gross)}</td>
                <DocumentLinks urls={{ PDF: invoice.exportUrls.pdf, XML: invoice.exportUrls.xml, JSON: invoice.exportUrls.json }} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A document's files: signed links, which open without the signed-in token. */
function DocumentLinks({ urls }: { urls: Record<string, string> }) {
  return (
    <td className="documents">
      {Object.entries(urls).map(([format, url]) => (
        <a key={format} href={url} download>
          {format}
        </a>
      ))}
    </td>
  );
}
