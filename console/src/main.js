// The csms operator console: a hash-routed single page over the admin API.
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { checkToken, getToken, setToken, onAuthChange, startLive, stopLive, onLiveState, ApiError } from './api.js';
import { html } from './ui.js';
import { Overview } from './pages/overview.js';
import { Stations, StationPage } from './pages/stations.js';
import { Sessions, SessionPage } from './pages/sessions.js';
import { Sites, SitePage } from './pages/sites.js';
import { Carbon } from './pages/carbon.js';
import { Security } from './pages/security.js';
import { session } from './session.js';

function parseHash() {
  const raw = (location.hash || '#/').slice(1);
  const [path, query = ''] = raw.split('?');
  const parts = path.split('/').filter(Boolean).map(decodeURIComponent);
  return { parts, query: new URLSearchParams(query) };
}

function useRoute() {
  const [route, setRoute] = useState(parseHash());
  useEffect(() => {
    const f = () => setRoute(parseHash());
    window.addEventListener('hashchange', f);
    return () => window.removeEventListener('hashchange', f);
  }, []);
  return route;
}

const NAV = [
  ['', 'Overview'], ['stations', 'Stations'], ['sessions', 'Sessions'], ['sites', 'Sites'],
  ['carbon', 'Carbon'], ['security', 'Security'],
];

function SignIn({ message }) {
  const [value, setValue] = useState('');
  const [error, setError] = useState(message || '');
  const [busy, setBusy] = useState(false);
  const submit = async (e) => {
    e.preventDefault();
    setBusy(true);
    setError('');
    try {
      await checkToken(value.trim());
      setToken(value.trim());
    } catch (err) {
      setError(err instanceof ApiError && err.status === 401 ? `Sign-in refused: ${err.message}` : err.message);
    } finally {
      setBusy(false);
    }
  };
  return html`<main class="signin">
    <h1>csms console</h1>
    <form class="panel" onSubmit=${submit} aria-describedby="signin-help">
      <label for="token">API token
        <input id="token" name="token" type="password" autocomplete="current-password" required
               value=${value} onInput=${(e) => setValue(e.target.value)} /></label>
      <p id="signin-help" class="note">The admin token of this server (for <code>make run</code>: the file
        <code>data/admin-token</code>). It stays in this browser tab only.</p>
      ${error ? html`<p class="error" role="alert">${error}</p>` : null}
      <button type="submit" disabled=${busy}>Sign in</button>
    </form>
  </main>`;
}

function LiveIndicator() {
  const [on, setOn] = useState(false);
  useEffect(() => onLiveState(setOn), []);
  return html`<span class="live ${on ? 'on' : 'off'}" role="status" data-live=${on ? 'on' : 'off'}>
    ${on ? 'live' : 'reconnecting…'}</span>`;
}

function Page({ route }) {
  const [first, second] = route.parts;
  switch (first || '') {
    case '': return html`<${Overview} />`;
    case 'stations': return second ? html`<${StationPage} id=${second} />` : html`<${Stations} />`;
    case 'sessions': return second ? html`<${SessionPage} id=${second} station=${route.query.get('station')} />`
      : html`<${Sessions} query=${route.query} />`;
    case 'sites': return second ? html`<${SitePage} id=${second} />` : html`<${Sites} />`;
    case 'carbon': return html`<${Carbon} query=${route.query} />`;
    case 'security': return html`<${Security} />`;
    default: return html`<p class="error">No page ${first}. <a href="#/">Overview</a></p>`;
  }
}

function App() {
  const [token, setTok] = useState(getToken());
  const [role, setRole] = useState(session.role);
  const route = useRoute();
  useEffect(() => onAuthChange(setTok), []);
  useEffect(() => session.onChange(setRole), []);
  useEffect(() => {
    if (token) { startLive(); session.learnRole(); } else stopLive();
  }, [token]);
  if (!token) return html`<${SignIn} />`;
  const here = route.parts[0] || '';
  return html`
    <a class="skip" href="#main" onClick=${(e) => { e.preventDefault(); document.getElementById('main').focus(); }}>Skip to content</a>
    <header class="top">
      <a class="brand" href="#/">csms</a>
      <nav aria-label="Main">
        ${NAV.map(([p, label]) => html`<a href="#/${p}" aria-current=${here === p ? 'page' : undefined}>${label}</a>`)}
      </nav>
      <div class="right">
        <${LiveIndicator} />
        ${role ? html`<span data-role=${role}>${session.name ? `${session.name} · ` : ''}${role}</span>` : null}
        <button type="button" onClick=${() => { setToken(''); location.hash = '#/'; }}>Sign out</button>
      </div>
    </header>
    <main id="main" tabindex="-1"><${Page} route=${route} /></main>`;
}

const root = document.getElementById('app');
root.textContent = '';  // the "Loading" placeholder
render(html`<${App} />`, root);
