import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { Api, ApiError } from './api';
import { ConsoleTenantsDocument, ConsoleViewerDocument } from './generated/graphql';
import { initialLanguage, LanguageContext, MESSAGES, useText, type Language, type MessageKey } from './i18n';
import { AlertsPage } from './pages/AlertsPage';
import { BillsPage } from './pages/BillsPage';
import { BudgetsPage } from './pages/BudgetsPage';
import { SettlementPage } from './pages/SettlementPage';
import { SpendPage } from './pages/SpendPage';

const TOKEN_KEY = 'console:token';
const PAGES = ['spend', 'alerts', 'budgets', 'settlement', 'bills'] as const;
type PageName = (typeof PAGES)[number];

/** Who signed in: their role, and the tenants they may look at. */
interface Session {
  api: Api;
  role: string;
  tenants: { id: string; name: string }[];
}

function pageFromHash(): PageName {
  const name = location.hash.replace(/^#\/?/, '');
  return (PAGES as readonly string[]).includes(name) ? (name as PageName) : 'spend';
}

export function App() {
  const [language, setLanguage] = useState<Language>(initialLanguage);
  const [session, setSession] = useState<Session | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [page, setPage] = useState<PageName>(pageFromHash);
  const [tenantId, setTenantId] = useState<string | null>(null);

  useEffect(() => {
    document.documentElement.lang = language === 'zh' ? 'zh-CN' : 'en';
    document.title = MESSAGES[language].title;
    localStorage.setItem('console:language', language);
  }, [language]);
  useEffect(() => {
    const follow = () => setPage(pageFromHash());
    addEventListener('hashchange', follow);
    return () => removeEventListener('hashchange', follow);
  }, []);

  async function signIn(token: string) {
    const api = new Api(token);
    try {
      const { viewer } = await api.request(ConsoleViewerDocument);
      const tenants = viewer.tenant ? [viewer.tenant] : (await api.request(ConsoleTenantsDocument)).tenants.nodes;
      sessionStorage.setItem(TOKEN_KEY, token);
      setSession({ api, role: viewer.role, tenants });
      setTenantId(tenants[0]?.id ?? null);
      setError(null);
    } catch (caught) {
      api.close();
      sessionStorage.removeItem(TOKEN_KEY);
      setError(caught instanceof ApiError ? caught.message : String(caught));
    }
  }
  function signOut() {
    session?.api.close();
    sessionStorage.removeItem(TOKEN_KEY);
    setSession(null);
  }
  useEffect(() => {
    const token = sessionStorage.getItem(TOKEN_KEY);
    if (token) void signIn(token);
  }, []);

  const languageToggle = (
    <button type="button" className="link" onClick={() => setLanguage(language === 'en' ? 'zh' : 'en')}>
      {MESSAGES[language].language}
    </button>
  );
  return (
    <LanguageContext.Provider value={language}>
      {session ? (
        <Shell session={session} page={page} tenantId={tenantId} onTenant={setTenantId} onSignOut={signOut} languageToggle={languageToggle} />
      ) : (
        <SignIn onSignIn={signIn} error={error} languageToggle={languageToggle} />
      )}
    </LanguageContext.Provider>
  );
}

function SignIn(props: { onSignIn: (token: string) => void; error: string | null; languageToggle: React.ReactNode }) {
  const text = useText();
  const [token, setToken] = useState('');
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (token.trim()) props.onSignIn(token.trim().replace(/^Bearer\s+/i, ''));
  };
  return (
    <main className="sign-in">
      <form onSubmit={submit}>
        <h1>{text('title')}</h1>
        <label htmlFor="token">{text('accessToken')}</label>
        <input id="token" type="password" autoComplete="off" value={token} onChange={(event) => setToken(event.target.value)} placeholder="bpat_..." />
        <p className="hint">{text('tokenHint')}</p>
        {props.error && (
          <p className="error" role="alert">
            {props.error}
          </p>
        )}
        <div className="row">
          <button type="submit">{text('signIn')}</button>
          {props.languageToggle}
        </div>
      </form>
    </main>
  );
}

function Shell(props: {
  session: Session;
  page: PageName;
  tenantId: string | null;
  onTenant: (id: string) => void;
  onSignOut: () => void;
  languageToggle: React.ReactNode;
}) {
  const text = useText();
  const { session, page, tenantId } = props;
  const tenant = useMemo(() => session.tenants.find((each) => each.id === tenantId) ?? null, [session.tenants, tenantId]);
  const labels: Record<PageName, MessageKey> = { spend: 'spend', alerts: 'alerts', budgets: 'budgets', settlement: 'settlement', bills: 'bills' };
  const isOperator = session.role === 'PLATFORM_ADMIN';
  return (
    <div className="shell">
      <header>
        <strong>{text('title')}</strong>
        <nav>
          {PAGES.filter((name) => name !== 'settlement' || isOperator).map((name) => (
            <a key={name} href={`#/${name}`} className={name === page ? 'active' : undefined}>
              {text(labels[name])}
            </a>
          ))}
        </nav>
        <span className="spacer" />
        {session.tenants.length > 1 ? (
          <select aria-label={text('tenant')} value={tenantId ?? ''} onChange={(event) => props.onTenant(event.target.value)}>
            {session.tenants.map((each) => (
              <option key={each.id} value={each.id}>
                {each.name}
              </option>
            ))}
          </select>
        ) : (
          <span>{tenant?.name}</span>
        )}
        <span className="role">{session.role}</span>
        {props.languageToggle}
        <button type="button" className="link" onClick={props.onSignOut}>
          {text('signOut')}
        </button>
      </header>
      <main>
        {page === 'settlement' && isOperator && <SettlementPage api={session.api} />}
        {page === 'bills' && <BillsPage api={session.api} tenantId={tenantId} />}
        {tenant && page === 'spend' && <SpendPage key={tenant.id} api={session.api} tenantId={tenant.id} />}
        {tenant && page === 'alerts' && <AlertsPage key={tenant.id} api={session.api} tenantId={tenant.id} />}
        {tenant && page === 'budgets' && <BudgetsPage key={tenant.id} api={session.api} tenantId={tenant.id} />}
      </main>
    </div>
  );
}
