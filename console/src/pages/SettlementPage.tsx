import { useContext, useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { instant } from '../format';
import {
  ConsoleSettleDocument,
  ConsoleSettlementProgressDocument,
  ConsoleSettlementRunsDocument,
  type ConsoleSettlementRunFragment,
} from '../generated/graphql';
import { LanguageContext, useLabel, useText } from '../i18n';
import { HeadRow } from '../table';

/** Last month, as settlement names periods ("2026-10"). */
function lastMonth(): string {
  const now = new Date();
  const month = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() - 1, 1));
  return month.toISOString().slice(0, 7);
}

/** The operator's settlement runs with their progress, live while they run, and a form to settle a period. */
export function SettlementPage({ api }: { api: Api }) {
  const text = useText();
  const label = useLabel();
  const language = useContext(LanguageContext);
  const [runs, setRuns] = useState<ConsoleSettlementRunFragment[] | null>(null);
  const [period, setPeriod] = useState(lastMonth);
  const [errors, setErrors] = useState<string[]>([]);

  const put = (run: ConsoleSettlementRunFragment) =>
    setRuns((current) => [run, ...(current ?? []).filter((known) => known.id !== run.id)].sort((a, b) => b.startedAt.localeCompare(a.startedAt)));
  useEffect(() => {
    api
      .request(ConsoleSettlementRunsDocument)
      .then(({ settlementRuns }) => setRuns(settlementRuns.nodes))
      .catch((caught: Error) => setErrors([caught.message]));
  }, [api]);
  const running = (runs ?? []).filter((run) => run.status === 'RUNNING').map((run) => run.id);
  useEffect(() => {
    if (running.length === 0) return;
    // Each subscription sends the run's state now first, so one that finished meanwhile shows as finished.
    const stops = running.map((runId) => api.subscribe(ConsoleSettlementProgressDocument, { runId }, ({ settlementProgress }) => put(settlementProgress)));
    return () => stops.forEach((stop) => stop());
  }, [api, running.join()]);

  async function settle(event: FormEvent) {
    event.preventDefault();
    const { billingPeriodSettle } = await api.request(ConsoleSettleDocument, { input: { period, idempotencyKey: `console-${period}-${crypto.randomUUID()}` } });
    setErrors(billingPeriodSettle.userErrors.map((userError) => `${userError.field?.join('.') ?? ''}: ${userError.message}`));
    if (billingPeriodSettle.settlementRun) put(billingPeriodSettle.settlementRun);
  }

  if (!runs) return errors.length ? <p className="error">{errors.join(' ')}</p> : <p>{text('loading')}</p>;
  return (
    <section>
      <h2>{text('settlement')}</h2>
      <form className="inline" onSubmit={settle}>
        <h3>{text('settlePeriod')}</h3>
        <input aria-label={text('period')} value={period} onChange={(event) => setPeriod(event.target.value)} placeholder="2026-10" />
        <button type="submit">{text('settle')}</button>
        {errors.map((error) => (
          <p key={error} className="error" role="alert">
            {error}
          </p>
        ))}
      </form>
      {runs.length === 0 ? (
        <p className="muted">{text('none')}</p>
      ) : (
        <table className="runs">
          <HeadRow columns={['period', 'status', 'progress', 'started', 'finished']} />
          <tbody>
            {runs.map((run) => (
              <tr key={run.id} data-run={run.id}>
                <td>{run.period}</td>
                <td>
                  <span className={`tag ${run.status.toLowerCase()}`} data-value={run.status}>
                    {label(run.status)}
                  </span>
                </td>
                <td>
                  <div className="bar">
                    <div style={{ width: `${Number(run.percentDone)}%` }} />
                  </div>
                  {run.percentDone}% · {run.billedCount} {text('billed')} · {run.skippedCount} {text('skipped')} · {run.failedCount} {text('failed')} /{' '}
                  {run.tenantCount}
                  {run.failures.map((failure) => (
                    <div key={failure.tenantId} className="error">
                      {failure.tenantId}: {failure.code} {failure.message}
                    </div>
                  ))}
                </td>
                <td>{instant(run.startedAt, language)}</td>
                <td>{instant(run.finishedAt, language)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
