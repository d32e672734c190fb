// Overview: the fleet at a glance, following live events.
import { api, optional } from '../api.js';
import { html, useResource, Loading, fmt, isFaulted, today, monthStart, monthKey, qs, enc } from '../ui.js';

async function loadOverview() {
  const stations = await api('/api/stations');
  // Connector states come with each station; a large fleet is summed without them.
  const detailed = stations.length <= 200
    ? await Promise.all(stations.map((s) => api(`/api/stations/${enc(s.id)}`).catch(() => s)))
    : stations;
  const [active, month, sites, alerts] = await Promise.all([
    api('/api/transactions?active=true'),
    api(`/api/transactions${qs({ from: monthStart().toISOString(), limit: 10000 })}`),
    api('/api/sites'),
    optional('/api/alerts?open=true', null),
  ]);
  const t0 = today().getTime();
  const energyMonth = month.reduce((a, t) => a + (t.energyWh || 0), 0);
  const energyToday = month.filter((t) => Date.parse(t.startTime) >= t0).reduce((a, t) => a + (t.energyWh || 0), 0);
  let co2Month = 0, co2Today = 0, co2Known = false;
  const reports = await Promise.all(sites.map((s) =>
    api(`/api/carbon/report${qs({ site: s.id, month: monthKey() })}`).catch(() => null)));
  for (const r of reports) {
    if (!r) continue;
    co2Known = true;
    co2Month += r.totals.reductionKgCO2 || 0;
    for (const s of r.sessions || []) if (Date.parse(s.sessionEnd) >= t0 && !s.excluded) co2Today += s.reductionKgCO2 || 0;
  }
  return {
    online: stations.filter((s) => s.connected).length,
    offline: stations.filter((s) => !s.connected).length,
    faulted: detailed.some((s) => s.connectors) ? detailed.filter(isFaulted).length : null,
    total: stations.length,
    running: active.length,
    energyToday, energyMonth,
    co2Today: co2Known ? co2Today : null, co2Month: co2Known ? co2Month : null,
    alerts: Array.isArray(alerts) ? alerts : (alerts && alerts.alerts) || null,
    faultedList: detailed.filter(isFaulted),
  };
}

function Card({ k, label, value, unit }) {
  return html`<div class="card"><div class="label" id="l-${k}">${label}</div>
    <div class="value" data-k=${k} aria-labelledby="l-${k}">${value}${unit ? html` <small>${unit}</small>` : null}</div></div>`;
}

export function Overview() {
  const r = useResource(loadOverview, [], (type) => type === 'station' || type === 'connector' || type === 'transaction' || type === 'alert', 1000);
  return html`<h1>Overview</h1>
  <${Loading} r=${r}>${(d) => html`
    <div class="cards">
      <${Card} k="online" label="Stations online" value=${d.online} />
      <${Card} k="offline" label="Stations offline" value=${d.offline} />
      <${Card} k="faulted" label="Stations faulted" value=${d.faulted ?? '—'} />
      <${Card} k="running" label="Sessions running" value=${d.running} />
      <${Card} k="energy-today" label="Energy today" value=${fmt.kwh(d.energyToday)} unit="kWh" />
      <${Card} k="energy-month" label="Energy this month" value=${fmt.kwh(d.energyMonth)} unit="kWh" />
      <${Card} k="co2-today" label="CO₂ avoided today" value=${fmt.kg(d.co2Today)} unit="kg" />
      <${Card} k="co2-month" label="CO₂ avoided this month" value=${fmt.kg(d.co2Month)} unit="kg" />
    </div>
    ${d.alerts ? html`<h2>Open alerts</h2>${d.alerts.length === 0 ? html`<p class="note">No open alerts.</p>` : html`
      <table><thead><tr><th>since</th><th>station</th><th>kind</th><th>detail</th></tr></thead><tbody>
      ${d.alerts.map((a) => html`<tr><td>${fmt.time(a.openedAt || a.since || a.time)}</td>
        <td>${a.stationId ? html`<a href="#/stations/${enc(a.stationId)}">${a.stationId}</a>` : '—'}</td>
        <td>${a.kind || a.type}</td><td>${a.detail || a.message || ''}</td></tr>`)}
      </tbody></table>`}` : null}
    ${d.faultedList.length ? html`<h2>Faulted stations</h2><ul>
      ${d.faultedList.map((s) => html`<li><a href="#/stations/${enc(s.id)}">${s.id}</a>:
        ${s.connectors.filter((c) => c.status === 'Faulted').map((c) => `connector ${c.connectorId} ${c.errorCode || ''}`).join(', ')}</li>`)}
    </ul>` : null}
    <p class="note">${d.total} stations registered. Updates live as stations connect, change state and charge.</p>
  `}<//>`;
}
