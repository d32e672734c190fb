// Sessions: the list with filters, and one session with its meter chart and carbon record.
import { useState } from 'preact/hooks';
import { api, optional } from '../api.js';
import { html, useResource, Loading, fmt, Chart, qs, enc } from '../ui.js';

export function Sessions({ query }) {
  const [f, setF] = useState({ stationId: query.get('station') || '', idTag: '', active: '', from: '', to: '' });
  const r = useResource(() => api(`/api/transactions${qs({
    stationId: f.stationId, idTag: f.idTag, active: f.active,
    from: f.from ? new Date(f.from).toISOString() : '', to: f.to ? new Date(f.to).toISOString() : '', limit: 200,
  })}`), [JSON.stringify(f)], (type) => type === 'transaction');
  const set = (k) => (e) => setF({ ...f, [k]: e.target.value });
  return html`<h1>Sessions</h1>
    <form class="filters" onSubmit=${(e) => e.preventDefault()}>
      <label>Station<input name="station" value=${f.stationId} onChange=${set('stationId')} /></label>
      <label>Id tag<input name="idTag" value=${f.idTag} onChange=${set('idTag')} /></label>
      <label>From<input type="date" value=${f.from} onChange=${set('from')} /></label>
      <label>To<input type="date" value=${f.to} onChange=${set('to')} /></label>
      <label>State<select value=${f.active} onChange=${set('active')}><option value="">all</option><option value="true">running</option><option value="false">ended</option></select></label>
    </form>
    <${Loading} r=${r}>${(list) => html`<table><thead><tr><th>id</th><th>station</th><th>connector</th><th>id tag</th><th>start</th><th>stop</th><th class="num">kWh</th><th>reason</th></tr></thead><tbody>
      ${list.map((t) => html`<tr data-tx=${t.id}><td><a href="#/sessions/${enc(t.id)}?station=${enc(t.stationId)}">${t.id}</a></td>
        <td><a href="#/stations/${enc(t.stationId)}">${t.stationId}</a></td><td>${t.evseId || t.connectorId}</td><td>${t.idTag || '—'}</td>
        <td>${fmt.time(t.startTime)}</td><td>${t.stopTime ? fmt.time(t.stopTime) : html`<span class="tag ok">running</span>`}</td>
        <td class="num">${fmt.kwh(t.energyWh)}</td><td>${t.stopReason || ''}${t.meterAnomaly ? ' ⚠ meter' : ''}${t.authRejected ? ' ⚠ auth' : ''}</td></tr>`)}
      </tbody></table>${list.length === 0 ? html`<p class="note">No sessions match.</p>` : null}`}<//>`;
}

// Meter samples as chart columns: time, power (kW), energy since start (kWh).
export function meterSeries(samples) {
  const byTime = new Map();
  for (const s of samples) {
    if (s.phase) continue;
    const v = Number(s.value);
    if (!Number.isFinite(v)) continue;
    const t = Date.parse(s.timestamp) / 1000;
    const row = byTime.get(t) || {};
    if (s.measurand === 'Power.Active.Import') row.kw = s.unit === 'kW' ? v : v / 1000;
    if (s.measurand === 'Energy.Active.Import.Register') row.kwh = s.unit === 'kWh' ? v : v / 1000;
    byTime.set(t, row);
  }
  const times = [...byTime.keys()].sort((a, b) => a - b);
  const first = times.map((t) => byTime.get(t).kwh).find((v) => v !== undefined);
  let prev = null;
  const power = [], energy = [];
  for (const t of times) {
    const row = byTime.get(t);
    let kw = row.kw ?? null;
    // Without power samples, the power between two register readings.
    if (kw === null && row.kwh !== undefined && prev && t > prev.t) kw = ((row.kwh - prev.kwh) * 3600) / (t - prev.t);
    if (row.kwh !== undefined) prev = { t, kwh: row.kwh };
    power.push(kw);
    energy.push(row.kwh !== undefined && first !== undefined ? row.kwh - first : null);
  }
  return [times, power, energy];
}

function verification(carbon) {
  if (!carbon) return { cls: 'muted', text: 'no carbon record yet (the session has not ended, or has no record)' };
  const bad = (carbon.flags || []).find((x) => String(x).startsWith('signed-data-invalid'));
  if (bad) return { cls: 'bad', text: `signed data failed verification: ${bad}` };
  if (carbon.provenance === 'signed') return { cls: 'ok', text: 'signed meter data verified' };
  return { cls: 'muted', text: `no signed meter data (energy from the ${carbon.provenance})` };
}

export function SessionPage({ id, station }) {
  const r = useResource(async () => {
    const tx = await api(`/api/transactions/${enc(id)}${qs({ stationId: station })}`);
    const carbon = tx.stopTime ? await optional(`/api/carbon/transactions/${enc(id)}${qs({ stationId: tx.stationId })}`, null) : null;
    return { tx, carbon };
  }, [id, station], (type, d) => (type === 'transaction' || type === 'meter') && (!station || d.station === station));
  return html`<p><a href="#/sessions">← Sessions</a></p><h1>Session ${id}</h1>
  <${Loading} r=${r}>${({ tx, carbon }) => {
    const data = meterSeries(tx.samples || []);
    const v = verification(carbon);
    // A running 1.6 session has no energy yet: the register readings tell it.
    const lastKwh = data[2].filter((x) => x !== null).pop();
    const energyWh = tx.energyWh ?? (lastKwh === undefined ? null : lastKwh * 1000);
    return html`
    <div class="cards">
      <div class="card"><div class="label">Station</div><div><a href="#/stations/${enc(tx.stationId)}">${tx.stationId}</a> · ${tx.evseId ? `EVSE ${tx.evseId}` : `connector ${tx.connectorId}`}</div></div>
      <div class="card"><div class="label">Id tag</div><div>${tx.idTag || '—'}</div></div>
      <div class="card"><div class="label">Start</div><div>${fmt.time(tx.startTime)}</div></div>
      <div class="card"><div class="label">Stop</div><div>${tx.stopTime ? `${fmt.time(tx.stopTime)} (${tx.stopReason || ''})` : 'running'}</div></div>
      <div class="card"><div class="label">Energy</div><div class="value" data-k="tx-energy">${fmt.kwh(energyWh)} <small>kWh</small></div></div>
    </div>
    <h2>Meter</h2>
    ${data[0].length < 2 ? html`<p class="note" data-chart="empty">Not enough meter samples for a chart yet (${data[0].length}).</p>` : html`
      <div class="panel" data-chart="meter"><${Chart} title="Power and energy" data=${data}
        series=${[{ label: 'Power (kW)', stroke: '#0b5cad', width: 2, scale: 'kw' }, { label: 'Energy (kWh)', stroke: '#1f7a3a', width: 2, scale: 'kwh' }]}
        axes=${[{}, { scale: 'kw', label: 'kW' }, { scale: 'kwh', label: 'kWh', side: 1, grid: { show: false } }]} /></div>`}
    <h2>Carbon and signed data</h2>
    <p><span class="tag ${v.cls}" data-k="verification">${v.text}</span></p>
    ${carbon ? html`<table><tbody>
      <tr><th>avoided</th><td>${fmt.kg(carbon.reductionKgCO2)} kg CO₂ (baseline ${fmt.kg(carbon.baselineKgCO2)}, project ${fmt.kg(carbon.projectKgCO2)})</td></tr>
      <tr><th>energy</th><td>${fmt.kwh(carbon.energyDeliveredWh)} kWh delivered, ${fmt.kwh(carbon.energyConsumedWh)} kWh consumed</td></tr>
      <tr><th>site / region</th><td>${carbon.siteId || '—'} / ${carbon.region || 'national'}</td></tr>
      <tr><th>account</th><td>${carbon.account || '—'}</td></tr>
      <tr><th>flags</th><td>${(carbon.flags || []).join('; ') || 'none'}${carbon.excluded ? ` — excluded: ${carbon.excluded}` : ''}</td></tr>
      <tr><th>method</th><td>${carbon.methodVersion}, computed ${fmt.time(carbon.computedAt)}</td></tr>
    </tbody></table>` : null}
    ${tx.events ? html`<h2>Events</h2><table><thead><tr><th>seq</th><th>type</th><th>time</th><th>trigger</th><th>stopped</th></tr></thead><tbody>
      ${tx.events.map((e) => html`<tr><td>${e.seqNo}</td><td>${e.eventType}</td><td>${fmt.time(e.timestamp)}</td><td>${e.triggerReason}</td><td>${e.stoppedReason || ''}</td></tr>`)}</tbody></table>` : null}
  `;
  }}<//>`;
}
