import { useEffect, useState } from 'react';
import type { Api } from '../api';
import { useScopes, type ScopeEntry } from '../directory';
import { money, percent } from '../format';
import { ConsoleScopeSpendDocument, ConsoleSpendUpdatedDocument, type ConsoleSpendFragment } from '../generated/graphql';
import { HeadRow } from '../table';
import { useText } from '../i18n';

interface Figures {
  today?: ConsoleSpendFragment;
  month?: ConsoleSpendFragment;
}

/** Today's and this month's spend of the tenant, each department and each key, against their limits, moving as usage is recorded. */
export function SpendPage({ api, tenantId }: { api: Api; tenantId: string }) {
  const text = useText();
  const directory = useScopes(api, tenantId);
  const [figures, setFigures] = useState<Record<string, Figures>>({});

  useEffect(() => {
    if (!directory) return;
    const put = (scopeId: string, spends: ConsoleSpendFragment[]) =>
      setFigures((current) => {
        const next = { ...current[scopeId] };
        for (const spend of spends) {
          // A batch's event carries totals after it; an older answer never overwrites a newer one.
          const slot = spend.period === 'DAILY' ? 'today' : 'month';
          const known = next[slot];
          if (!known || known.periodStart < spend.periodStart || (known.periodStart === spend.periodStart && known.requestCount <= spend.requestCount))
            next[slot] = spend;
        }
        return { ...current, [scopeId]: next };
      });
    const stops = directory.scopes.map((scope) =>
      api.subscribe(ConsoleSpendUpdatedDocument, { scope: scope.input }, (data) => put(scope.id, data.spendUpdated.spends)),
    );
    for (const scope of directory.scopes)
      void api.request(ConsoleScopeSpendDocument, { scope: scope.input }).then((answer) => put(scope.id, [answer.today, answer.month]));
    return () => stops.forEach((stop) => stop());
  }, [api, directory]);

  if (!directory) return <p>{text('loading')}</p>;
  return (
    <section>
      <h2>{text('spend')}</h2>
      <p className="hint">{text('live')}</p>
      <table className="spend">
        <HeadRow columns={['scope', 'today', 'thisMonth']} />
        <tbody>
          {directory.scopes.map((scope) => (
            <tr key={scope.id} data-scope={scope.id} className={scope.type.toLowerCase()}>
              <td style={{ paddingLeft: `${0.5 + scope.depth * 1.2}rem` }}>
                <ScopeName scope={scope} />
              </td>
              <td className="today">
                <SpendCell spend={figures[scope.id]?.today} />
              </td>
              <td className="month">
                <SpendCell spend={figures[scope.id]?.month} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

function ScopeName({ scope }: { scope: ScopeEntry }) {
  const text = useText();
  const kind = scope.type === 'TENANT' ? text('tenant') : scope.type === 'DEPARTMENT' ? text('department') : text('apiKey');
  return (
    <>
      <span className="kind">{kind}</span> {scope.name}
    </>
  );
}

function SpendCell({ spend }: { spend: ConsoleSpendFragment | undefined }) {
  const text = useText();
  if (!spend) return <span className="muted">…</span>;
  const used = percent(spend.percentUsed);
  return (
    <div className="figure">
      <span className="spent" title={spend.spent.amount}>
        {money(spend.spent)}
      </span>
      <span className="muted">
        {' '}
        {spend.limit ? `${text('of')} ${money(spend.limit)}` : text('noLimit')} · {spend.requestCount} {text('requests')}
      </span>
      {spend.limit && (
        <div className={`bar ${used >= 100 ? 'over' : used >= 80 ? 'near' : ''}`} title={`${spend.percentUsed}%`}>
          <div style={{ width: `${used}%` }} />
        </div>
      )}
    </div>
  );
}
