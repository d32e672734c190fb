// Stations: the list, and one station with its state, history and commands.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, optional, ApiError, onLive } from '../api.js';
import { html, useResource, Loading, fmt, StatusTag, OnlineTag, isFaulted, qs, enc, Chart } from '../ui.js';
import { session } from '../session.js';

// A live event applied to the list: true when it could be (else reload).
function applyEvent(list, type, d) {
  const i = list.findIndex((s) => s.id === (type === 'station' ? d.id : d.station));
  if (i < 0) return null;
  const s = { ...list[i] };
  if (type === 'station') s.connected = d.connected;
  if (type === 'connector') {
    const cs = [...(s.connectors || [])];
    const j = cs.findIndex((c) => c.evseId === d.evseId && c.connectorId === d.connectorId);
    const c = { ...(j >= 0 ? cs[j] : {}), evseId: d.evseId, connectorId: d.connectorId, status: d.status, errorCode: d.errorCode, updatedAt: new Date().toISOString() };
    if (j >= 0) cs[j] = c; else cs.push(c);
    s.connectors = cs;
  }
  const out = [...list];
  out[i] = s;
  return out;
}

export function Stations() {
  const [filter, setFilter] = useState('');
  const [state, setState] = useState('all');
  const known = useRef(new Set());
  // Station and connector events are applied where they are; a station this
  // page does not know yet makes it reload.
  const r = useResource(async () => {
    const list = await api('/api/stations');
    return list.length <= 200 ? Promise.all(list.map((s) => api(`/api/stations/${enc(s.id)}`).catch(() => s))) : list;
  }, [], (type, d) => (type === 'station' || type === 'connector') && !known.current.has(type === 'station' ? d.id : d.station));
  known.current = new Set((r.data || []).map((s) => s.id));
  useEffect(() => onLive((type, d) => {
    if (type === 'station' || type === 'connector') r.patch((list) => applyEvent(list, type, d) || list);
  }), [r.patch]);
  return html`<h1>Stations</h1>
    <div class="filters">
      <label>Search<input type="search" value=${filter} placeholder="id, vendor, model" onInput=${(e) => setFilter(e.target.value)} /></label>
      <label>State<select value=${state} onChange=${(e) => setState(e.target.value)}>
        <option value="all">all</option><option value="online">online</option>
        <option value="offline">offline</option><option value="faulted">faulted</option></select></label>
    </div>
    <${Loading} r=${r}>${(list) => {
      const q = filter.toLowerCase();
      const rows = list.filter((s) => (!q || [s.id, s.vendor, s.model].join(' ').toLowerCase().includes(q)) &&
        (state === 'all' || (state === 'online' && s.connected) || (state === 'offline' && !s.connected) ||
         (state === 'faulted' && isFaulted(s))));
      return html`<table><caption class="visually-hidden">Stations</caption>
        <thead><tr><th>id</th><th>state</th><th>connectors</th><th>vendor / model</th><th>OCPP</th><th>firmware</th><th>last seen</th></tr></thead>
        <tbody>${rows.map((s) => html`<tr data-station=${s.id}>
          <td><a href="#/stations/${enc(s.id)}">${s.id}</a></td>
          <td data-online=${s.connected ? 'yes' : 'no'}><${OnlineTag} connected=${s.connected} /></td>
          <td>${(s.connectors || []).filter((c) => c.connectorId > 0 || c.evseId > 0).map((c) => html`<${StatusTag} status=${c.status} /> `)}</td>
          <td>${s.vendor || ''} ${s.model || ''}</td><td>${s.ocppVersion || '—'}</td>
          <td>${s.firmwareVersion || '—'}</td><td>${fmt.time(s.lastSeen)}</td></tr>`)}
        </tbody></table>
        ${rows.length === 0 ? html`<p class="note">No station matches.</p>` : null}`;
    }}<//>`;
}

async function loadStation(id) {
  const e = enc(id);
  const [station, active, profiles, firmware, log] = await Promise.all([
    api(`/api/stations/${e}`),
    api(`/api/transactions${qs({ stationId: id, active: 'true' })}`),
    optional(`/api/stations/${e}/profiles`, []),
    optional(`/api/stations/${e}/firmware`, null),
    api(`/api/stations/${e}/log?limit=25`),
  ]);
  return { station, active, profiles, firmware, log };
}

// The commands of the console, with their fields per OCPP version.
function commandSpecs(v201, active) {
  const where = v201 ? { name: 'evse', label: 'EVSE', value: '1' } : { name: 'connector', label: 'Connector', value: '1' };
  return [
    { name: 'remote-start', title: 'Remote start', fields: [{ name: 'idTag', label: 'Id tag', required: true }, where] },
    { name: 'remote-stop', title: 'Remote stop', fields: [{ name: 'transactionId', label: 'Transaction', required: true, value: active[0] ? String(active[0].id) : '' }] },
    { name: 'reset', title: 'Reset', fields: [{ name: 'type', label: 'Type', options: v201 ? ['OnIdle', 'Immediate'] : ['Soft', 'Hard'] }] },
    { name: 'unlock', title: 'Unlock connector', fields: [where] },
    { name: 'trigger', title: 'Trigger message', fields: [{ name: 'message', label: 'Message', options: ['StatusNotification', 'Heartbeat', 'MeterValues', 'BootNotification', 'FirmwareStatusNotification'] }] },
    { name: 'availability', title: 'Availability', fields: [{ name: 'type', label: 'Type', options: ['Operative', 'Inoperative'] }, { ...where, value: '0', required: false }] },
    v201 ? { name: 'report', title: 'Device model report', fields: [] } : { name: 'get-config', title: 'Get configuration', fields: [] },
    { name: 'cert-list', title: 'Installed certificates', fields: [{ name: 'type', label: 'Type', options: v201
      ? ['CSMSRootCertificate', 'ManufacturerRootCertificate', 'V2GRootCertificate', 'MORootCertificate', 'V2GCertificateChain']
      : ['CentralSystemRootCertificate', 'ManufacturerRootCertificate'] }] },
  ];
}

function paramsOf(spec, form) {
  const body = {};
  for (const f of spec.fields) {
    const v = form.elements[f.name].value.trim();
    if (v === '') continue;
    body[f.name] = /^(connector|evse)$/.test(f.name) || (f.name === 'transactionId' && /^\d+$/.test(v)) ? Number(v) : v;
  }
  return body;
}

function Commands({ id, station, active, onAnswer }) {
  const [busy, setBusy] = useState('');
  const [answers, setAnswers] = useState([]);
  const [role, setRole] = useState(session.role);
  useEffect(() => session.onChange(setRole), []);
  const v201 = station.ocppVersion === '2.0.1';
  const allowed = role !== 'viewer';
  const run = async (spec, e) => {
    e.preventDefault();
    const body = paramsOf(spec, e.target);
    setBusy(spec.name);
    let entry;
    try {
      const res = await api(`/api/stations/${enc(id)}/commands/${spec.name}`, { method: 'POST', body });
      entry = { ok: true, text: JSON.stringify(res.response, null, 1), action: res.action };
    } catch (err) {
      if (err instanceof ApiError && err.status === 403) { session.set('viewer'); setRole('viewer'); }
      entry = { ok: false, text: `${err.status || ''} ${err.message}${err.code ? ` (${err.code})` : ''}`.trim() };
    }
    setBusy('');
    setAnswers((a) => [{ name: spec.name, at: new Date(), ...entry }, ...a].slice(0, 20));
    onAnswer();
  };
  return html`<h2>Commands</h2>
    ${allowed ? null : html`<p class="note" role="note" data-viewer="true">This token may look, not act: commands are disabled.</p>`}
    ${station.connected ? null : html`<p class="note">The station is offline: commands would be refused (409).</p>`}
    <div class="commands">${commandSpecs(v201, active).map((spec) => html`
      <form onSubmit=${(e) => run(spec, e)} data-command=${spec.name} aria-label=${spec.title}>
        <h3>${spec.title}</h3>
        ${spec.fields.map((f) => f.options
          ? html`<label>${f.label}<select name=${f.name}>${f.options.map((o) => html`<option>${o}</option>`)}</select></label>`
          : html`<label>${f.label}<input name=${f.name} value=${f.value || ''} required=${!!f.required} /></label>`)}
        <button type="submit" disabled=${!allowed || busy === spec.name}
          title=${allowed ? '' : 'Your token may not send commands'}>${busy === spec.name ? 'Waiting for the station…' : 'Send'}</button>
      </form>`)}
    </div>
    <h2>Answers</h2>
    ${answers.length === 0 ? html`<p class="note">Answers of the commands sent from this page appear here.</p>` : null}
    <ul class="answers" aria-live="polite">${answers.map((a) => html`<li data-answer=${a.name} data-ok=${a.ok ? 'yes' : 'no'}>
      <strong>${a.name}</strong> ${a.action ? `(${a.action})` : ''} at ${a.at.toLocaleTimeString()}:
      ${a.ok ? html`<pre>${a.text}</pre>` : html`<span class="error">${a.text}</span>`}</li>`)}</ul>`;
}

// Online (1) / offline (0) as a step line: each segment's start and end.
function uptimeColumns(segments) {
  const xs = [];
  const ys = [];
  for (const seg of segments) {
    let a = Date.parse(seg.from) / 1000;
    const b = Date.parse(seg.to) / 1000;
    if (xs.length && a <= xs[xs.length - 1]) a = xs[xs.length - 1] + 0.001;
    const v = seg.online ? 1 : 0;
    xs.push(a, Math.max(a + 0.001, b));
    ys.push(v, v);
  }
  return [xs, ys];
}

// The station's online/offline history over 24 h or 7 d (GET .../uptime).
function Uptime({ id }) {
  const [period, setPeriod] = useState('24h');
  const r = useResource(() => api(`/api/stations/${enc(id)}/uptime${qs({ period })}`), [id, period],
    (type, d) => type === 'station' && d.id === id, 1000);
  const label = period === '24h' ? 'the last 24 hours' : 'the last 7 days';
  return html`<h2>Uptime</h2>
    <div class="filters" role="group" aria-label="Uptime period">${['24h', '7d'].map((p) => html`
      <button type="button" data-period=${p} aria-pressed=${p === period ? 'true' : 'false'}
        onClick=${() => setPeriod(p)}>${p === '24h' ? 'Last 24 h' : 'Last 7 days'}</button>`)}</div>
    <${Loading} r=${r}>${(u) => html`
      <p>Online <strong data-k="uptime-percent">${fmt.num(u.onlinePercent, 2)} %</strong> of ${label} (time before the first connection record counts as offline).</p>
      <div class="panel" data-chart="uptime" data-period=${u.period}><${Chart} title=${`Online / offline, ${label}`}
        data=${uptimeColumns(u.segments)} height=${160}
        series=${[{ label: 'Online', stroke: '#1f7a3a', fill: 'rgba(31,122,58,0.15)', width: 2 }]}
        axes=${[{}, { label: 'online', splits: () => [0, 1], values: (_, vals) => vals.map((v) => (v === 1 ? 'on' : v === 0 ? 'off' : '')) }]} /></div>`}<//>`;
}

export function StationPage({ id }) {
  const r = useResource(() => loadStation(id), [id], (type, d) => type !== 'meter' && (d.station || d.id) === id);
  return html`<p><a href="#/stations">← Stations</a></p><h1>Station ${id}</h1>
  <${Loading} r=${r}>${({ station: s, active, profiles, firmware, log }) => html`
    <div class="cards">
      <div class="card"><div class="label">State</div><div class="value" data-k="station-online"><${OnlineTag} connected=${s.connected} /></div></div>
      <div class="card"><div class="label">Vendor / model</div><div>${s.vendor || '—'} ${s.model || ''}</div></div>
      <div class="card"><div class="label">OCPP</div><div>${s.ocppVersion || '—'} (${s.registration || '—'})</div></div>
      <div class="card"><div class="label">Firmware</div><div>${s.firmwareVersion || '—'}</div></div>
      <div class="card"><div class="label">Last seen</div><div>${fmt.time(s.lastSeen)}</div></div>
    </div>
    <${Uptime} id=${id} />
    <h2>Connectors</h2>
    <table><thead><tr><th>EVSE</th><th>connector</th><th>status</th><th>error</th><th>info</th><th>since</th></tr></thead><tbody>
      ${(s.connectors || []).map((c) => html`<tr data-connector=${c.connectorId}><td>${c.evseId}</td><td>${c.connectorId}</td>
        <td><${StatusTag} status=${c.status} /></td><td>${c.errorCode || ''}</td><td>${c.info || ''}</td><td>${fmt.time(c.updatedAt)}</td></tr>`)}
    </tbody></table>
    <h2>Sessions running</h2>
    ${active.length === 0 ? html`<p class="note">None.</p>` : html`<ul>${active.map((t) => html`<li>
      <a href="#/sessions/${enc(t.id)}?station=${enc(s.id)}">${t.id}</a> on ${t.evseId ? `EVSE ${t.evseId}` : `connector ${t.connectorId}`},
      tag ${t.idTag || '—'}, since ${fmt.time(t.startTime)}</li>`)}</ul>`}
    <${Commands} id=${id} station=${s} active=${active} onAnswer=${r.reload} />
    ${s.deviceModel ? html`<h2>Device model</h2><p class="note">${s.deviceModel.variableCount} attributes stored; key values:</p>
      <table><thead><tr><th>component</th><th>variable</th><th>value</th><th>mutability</th></tr></thead><tbody>
      ${s.deviceModel.variables.map((v) => html`<tr><td>${v.component}${v.evseId ? `@${v.evseId}` : ''}</td><td>${v.variable}${v.instance ? `#${v.instance}` : ''}</td><td>${v.value}</td><td>${v.mutability || ''}</td></tr>`)}
      </tbody></table>` : html`<h2>Configuration</h2><p class="note">Use “Get configuration” above to read the station's keys.</p>`}
    <h2>Charging profiles</h2>
    ${profiles.length === 0 ? html`<p class="note">None known.</p>` : html`<table><thead><tr><th>id</th><th>connector</th><th>purpose</th><th>stack</th><th>limit</th><th>source</th><th>accepted</th></tr></thead><tbody>
      ${profiles.map((p) => html`<tr><td>${p.id}</td><td>${p.connectorId}</td><td>${p.purpose}</td><td>${p.stackLevel}</td><td>${p.limit} ${p.unit}</td><td>${p.source}</td><td>${p.accepted ? 'yes' : 'no'}</td></tr>`)}
      </tbody></table>`}
    <h2>Firmware</h2>
    ${firmware ? html`<p>Status: <strong>${firmware.firmware.status}</strong> ${firmware.firmware.updatedAt ? `(${fmt.time(firmware.firmware.updatedAt)})` : ''};
      diagnostics: ${firmware.diagnostics.status}; log: ${firmware.log.status}.</p>
      ${firmware.requests.length ? html`<table><thead><tr><th>requested</th><th>action</th><th>location</th><th>answer</th></tr></thead><tbody>
        ${firmware.requests.map((q) => html`<tr><td>${fmt.time(q.requestedAt)}</td><td>${q.action}</td><td>${q.location}</td><td>${q.answer || '—'}</td></tr>`)}</tbody></table>` : null}` : html`<p class="note">No firmware data.</p>`}
    <h2>Recent frames</h2>
    <table class="frames"><thead><tr><th>time</th><th></th><th>frame</th></tr></thead><tbody>
      ${log.map((f) => html`<tr><td>${fmt.time(f.timestamp)}</td><td>${f.direction === 'in' ? '→ in' : '← out'}</td><td><code>${f.frame.length > 300 ? `${f.frame.slice(0, 300)}…` : f.frame}</code></td></tr>`)}
    </tbody></table>
  `}<//>`;
}
