import { useEffect, useState } from 'react';
import type { Api } from '../api';
import { money } from '../format';
import { ConsoleBillsDocument, type ConsoleBillsQuery } from '../generated/graphql';
import { useLabel, useText } from '../i18n';
import { HeadRow } from '../table';

/** Bills and VAT invoices with their documents (PDF, CSV, JSON, XML), downloaded with the signed-in token. */
export function BillsPage({ api, tenantId }: { api: Api; tenantId: string | null }) {
  const text = useText();
  const label = useLabel();
  const [documents, setDocuments] = useState<ConsoleBillsQuery | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    api
      .request(ConsoleBillsDocument, { tenantId })
      .then(setDocuments)
      .catch((caught: Error) => setError(caught.message));
  }, [api, tenantId]);
  const download = (url: string) => api.download(url).catch((caught: Error) => setError(caught.message));

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
                <DocumentLinks urls={{ PDF: bill.exportUrls.pdf, CSV: bill.exportUrls.csv, JSON: bill.exportUrls.json }} download={download} />
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
                <DocumentLinks urls={{ PDF: invoice.exportUrls.pdf, JSON: invoice.exportUrls.json }} download={download} />
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

/** A document's files, each a button that downloads it with the signed-in token. */
function DocumentLinks({ urls, download }: { urls: Record<string, string>; download: (url: string) => Promise<void> }) {
  return (
    <td className="documents">
      {Object.entries(urls).map(([format, url]) => (
        <button key={format} type="button" className="link" onClick={() => void download(url)}>
          {format}
        </button>
      ))}
    </td>
  );
}
