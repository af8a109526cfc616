import { useEffect, useState, type FormEvent } from 'react';
import type { Api } from '../api';
import { useScopes } from '../directory';
import { money, percent } from '../format';
import { ConsoleBudgetSetDocument, ConsoleBudgetsDocument, type ConsoleBudgetFragment, type SpendPeriod } from '../generated/graphql';
import { HeadRow } from '../table';
import { useText } from '../i18n';

/** The tenant's budgets with their spend this period, and a form to set one (the API's rules answer bad input). */
export function BudgetsPage({ api, tenantId }: { api: Api; tenantId: string }) {
  const text = useText();
  const directory = useScopes(api, tenantId);
  const [budgets, setBudgets] = useState<ConsoleBudgetFragment[] | null>(null);
  const [form, setForm] = useState({ scopeId: tenantId, period: 'MONTHLY' as SpendPeriod, limit: '', isHard: false });
  const [errors, setErrors] = useState<string[]>([]);

  const load = () =>
    api
      .request(ConsoleBudgetsDocument, { tenantId })
      .then(({ budgets: page }) => setBudgets(page.nodes))
      .catch((caught: Error) => setErrors([caught.message]));
  useEffect(() => {
    void load();
  }, [api, tenantId]);

  async function save(event: FormEvent) {
    event.preventDefault();
    const scope = directory?.scopes.find((each) => each.id === form.scopeId);
    if (!scope) return;
    const { budgetSet } = await api.request(ConsoleBudgetSetDocument, {
      input: { scope: scope.input, period: form.period, limit: form.limit, isHard: form.isHard, thresholds: [50, 80, 100] },
    });
    setErrors(budgetSet.userErrors.map((userError) => `${userError.field?.join('.') ?? ''}: ${userError.message}`));
    if (budgetSet.budget) await load();
  }

  if (!budgets || !directory) return errors.length ? <p className="error">{errors.join(' ')}</p> : <p>{text('loading')}</p>;
  return (
    <section>
      <h2>{text('budgets')}</h2>
      <table className="budgets">
        <HeadRow columns={['scope', 'period', 'limit', 'spent', '']} />
        <tbody>
          {budgets.map((budget) => (
            <tr key={budget.id}>
              <td>{directory.names.get(budget.scope.id) ?? budget.scope.id}</td>
              <td>{budget.period === 'DAILY' ? text('daily') : text('monthly')}</td>
              <td>
                {money(budget.limit)} <span className="tag">{budget.isHard ? text('hard') : text('soft')}</span>
              </td>
              <td>
                {money(budget.spend.spent)} ({budget.spend.percentUsed ?? '0'}%)
                <div className={`bar ${percent(budget.spend.percentUsed) >= 100 ? 'over' : ''}`}>
                  <div style={{ width: `${percent(budget.spend.percentUsed)}%` }} />
                </div>
              </td>
              <td className="muted">{budget.thresholds.map((threshold) => `${threshold}%`).join(' · ')}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="inline" onSubmit={save}>
        <h3>{text('setBudget')}</h3>
        <select aria-label={text('scope')} value={form.scopeId} onChange={(event) => setForm({ ...form, scopeId: event.target.value })}>
          {directory.scopes.map((scope) => (
            <option key={scope.id} value={scope.id}>
              {'  '.repeat(scope.depth)}
              {scope.name}
            </option>
          ))}
        </select>
        <select aria-label={text('period')} value={form.period} onChange={(event) => setForm({ ...form, period: event.target.value as SpendPeriod })}>
          <option value="MONTHLY">{text('monthly')}</option>
          <option value="DAILY">{text('daily')}</option>
        </select>
        <input
          aria-label={text('limit')}
          placeholder={`${text('limit')} (${directory.currency})`}
          value={form.limit}
          onChange={(event) => setForm({ ...form, limit: event.target.value })}
        />
        <label>
          <input type="checkbox" checked={form.isHard} onChange={(event) => setForm({ ...form, isHard: event.target.checked })} /> {text('hard')}
        </label>
        <button type="submit">{text('save')}</button>
        {errors.map((error) => (
          <p key={error} className="error" role="alert">
            {error}
          </p>
        ))}
      </form>
    </section>
  );
}
