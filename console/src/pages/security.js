// Security events, and the audit log where the server keeps one.
import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { html, useResource, Loading, fmt, qs, enc } from '../ui.js';

export function Security() {
  const [critical, setCritical] = useState(false);
  const [station, setStation] = useState('');
  const events = useResource(() => api(`/api/events${qs({ critical: critical ? 'true' : '', stationId: station, limit: 200 })}`),
    [critical, station], (type) => type === 'security');
  const audit = useResource(() => optional('/api/audit?limit=100', null), [], (type) => type === 'audit');
  return html`<h1>Security</h1>
    <h2>Security events</h2>
    <div class="filters">
      <label>Station<input value=${station} onChange=${(e) => setStation(e.target.value)} /></label>
      <label><span>Critical only</span><input type="checkbox" checked=${critical} onChange=${(e) => setCritical(e.target.checked)} /></label>
    </div>
    <${Loading} r=${events}>${(list) => html`<table><thead><tr><th>time</th><th>station</th><th>type</th><th>detail</th><th>address</th></tr></thead><tbody>
      ${list.map((e) => html`<tr><td>${fmt.time(e.timestamp)}</td><td>${e.stationId ? html`<a href="#/stations/${enc(e.stationId)}">${e.stationId}</a>` : '—'}</td>
        <td>${e.critical ? html`<span class="tag bad">${e.type}</span>` : e.type}</td><td>${e.techInfo || ''}</td><td>${e.remoteAddress || ''}</td></tr>`)}
      </tbody></table>${list.length === 0 ? html`<p class="note">No security events.</p>` : null}`}<//>
    <h2>Audit</h2>
    <${Loading} r=${audit}>${(list) => {
      const rows = Array.isArray(list) ? list : list && list.entries;
      if (!rows) return html`<p class="note">This server keeps no audit log (GET /api/audit is not there), or this token may not read it.</p>`;
      return html`<table><thead><tr><th>time</th><th>who</th><th>what</th><th>result</th></tr></thead><tbody>
        ${rows.map((a) => html`<tr><td>${fmt.time(a.time || a.timestamp)}</td><td>${a.token || a.actor || a.who || ''}</td>
          <td>${a.method || ''} ${a.path || a.action || ''}</td><td>${a.status ?? a.result ?? ''}</td></tr>`)}</tbody></table>`;
    }}<//>`;
}
