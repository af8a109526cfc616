import { useContext, useEffect, useState } from 'react';
import type { Api } from '../api';
import { instant, money } from '../format';
import { ConsoleAlertAcknowledgeDocument, ConsoleAlertRaisedDocument, ConsoleAlertsDocument, type ConsoleAlertFragment } from '../generated/graphql';
import { LanguageContext, useLabel, useText } from '../i18n';
import { HeadRow } from '../table';

/** The tenant's alerts, newest first, with new ones arriving as they are raised; each can be acknowledged. */
export function AlertsPage({ api, tenantId }: { api: Api; tenantId: string }) {
  const text = useText();
  const label = useLabel();
  const language = useContext(LanguageContext);
  const [alerts, setAlerts] = useState<ConsoleAlertFragment[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  useEffect(() => {
    const stop = api.subscribe(ConsoleAlertRaisedDocument, {}, ({ alertRaised }) => {
      if (alertRaised.scope.tenantId !== tenantId) return;
      setAlerts((current) => [alertRaised, ...(current ?? []).filter((alert) => alert.id !== alertRaised.id)]);
    });
    api
      .request(ConsoleAlertsDocument, { tenantId })
      .then(({ alerts: page }) =>
        setAlerts((current) => [...(current ?? []), ...page.nodes.filter((alert) => !current?.some((known) => known.id === alert.id))]),
      )
      .catch((caught: Error) => setError(caught.message));
    return stop;
  }, [api, tenantId]);

  async function acknowledge(alertId: string) {
    const { alertAcknowledge } = await api.request(ConsoleAlertAcknowledgeDocument, { alertId });
    if (alertAcknowledge.userErrors.length) setError(alertAcknowledge.userErrors.map((userError) => userError.message).join(' '));
    const acknowledged = alertAcknowledge.alert;
    if (acknowledged) setAlerts((current) => (current ?? []).map((alert) => (alert.id === acknowledged.id ? acknowledged : alert)));
  }

  if (!alerts) return error ? <p className="error">{error}</p> : <p>{text('loading')}</p>;
  return (
    <section>
      <h2>{text('alerts')}</h2>
      {error && <p className="error">{error}</p>}
      {alerts.length === 0 ? (
        <p className="muted">{text('noAlerts')}</p>
      ) : (
        <table className="alerts">
          <HeadRow columns={['raisedAt', 'type', 'scope', 'message', 'spent', '']} />
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.id} data-alert={alert.id} className={alert.isAcknowledged ? 'muted' : undefined}>
                <td>{instant(alert.raisedAt, language)}</td>
                <td>
                  <span className="tag" data-value={alert.type}>
                    {label(alert.type)}
                  </span>
                </td>
                <td>{alert.scope.name}</td>
                <td>{alert.message}</td>
                <td>
                  {money(alert.amount)}
                  {alert.limit && ` / ${money(alert.limit)}`}
                </td>
                <td>
                  {alert.isAcknowledged ? (
                    <span className="muted">{text('acknowledged')}</span>
                  ) : (
                    <button type="button" onClick={() => void acknowledge(alert.id)}>
                      {text('acknowledge')}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
