// Sites: live energy flow (grid, PV, battery, cars), the day's chart, limits
// and the controller's decisions.
import { useEffect } from 'preact/hooks';
import { api, optional, onLive } from '../api.js';
import { html, useResource, Loading, fmt, Chart, today, enc } from '../ui.js';

export function Sites() {
  const r = useResource(() => api('/api/sites'), [], (type) => type === 'site');
  return html`<h1>Sites</h1><${Loading} r=${r}>${(sites) => html`
    <table><thead><tr><th>id</th><th>name</th><th>region</th><th>time zone</th><th class="num">stations</th></tr></thead><tbody>
    ${sites.map((s) => html`<tr><td><a href="#/sites/${enc(s.id)}">${s.id}</a></td><td>${s.name}</td><td>${s.region || 'national'}</td>
      <td>${s.timezone}</td><td class="num">${s.stations.length}</td></tr>`)}</tbody></table>
    ${sites.length === 0 ? html`<p class="note">No sites yet: <code>csmsctl site add</code>.</p>` : null}`}<//>`;
}

// One decision's readings, each value from the first source that has it.
function pick(readings, key) {
  for (const r of readings || []) if (r[key] != null && !r.stale) return r[key];
  return null;
}

function Flow({ label, w, k, note }) {
  return html`<div class="card"><div class="label">${label}</div><div class="value" data-k=${k}>${fmt.kw(w)} <small>kW</small></div>
    ${note ? html`<div class="note">${note}</div>` : null}</div>`;
}

export function SitePage({ id }) {
  // The day's decisions load once; each new decision (a live `site` event)
  // brings only the live view and the newest few.
  const r = useResource(async () => {
    const [site, energy, decisions] = await Promise.all([
      api(`/api/sites/${enc(id)}`),
      api(`/api/sites/${enc(id)}/energy`),
      optional(`/api/sites/${enc(id)}/decisions?limit=1000`, []),
    ]);
    return { site, energy, decisions };
  }, [id], (type) => type === 'reconnected');
  useEffect(() => {
    let timer = null;
    const off = onLive((type, d) => {
      if (type !== 'site' || d.id !== id || timer) return;
      timer = setTimeout(async () => {
        timer = null;
        try {
          const [energy, newest] = await Promise.all([
            api(`/api/sites/${enc(id)}/energy`), optional(`/api/sites/${enc(id)}/decisions?limit=5`, [])]);
          r.patch((data) => {
            const seen = new Set(data.decisions.map((x) => x.id));
            return { ...data, energy, decisions: [...newest.filter((x) => !seen.has(x.id)), ...data.decisions].slice(0, 5000) };
          });
        } catch { /* the next event or a reconnect reloads */ }
      }, 250);
    });
    return () => { off(); if (timer) clearTimeout(timer); };
  }, [id, r.patch]);
  return html`<p><a href="#/sites">← Sites</a></p><h1>Site ${id}</h1>
  <${Loading} r=${r}>${({ site, energy: e, decisions }) => {
    const cars = (e.evses || []).reduce((a, v) => a + (v.measuredW || 0), 0);
    const t0 = today().getTime();
    const day = decisions.filter((d) => Date.parse(d.time) >= t0).reverse();
    const data = [day.map((d) => Date.parse(d.time) / 1000),
      day.map((d) => { const v = pick(d.readings, 'gridW'); return v == null ? null : v / 1000; }),
      day.map((d) => { const v = pick(d.readings, 'pvW'); return v == null ? null : v / 1000; }),
      day.map((d) => { const v = pick(d.readings, 'batteryW'); return v == null ? null : v / 1000; }),
      day.map((d) => (d.evses || []).reduce((a, v) => a + (v.measuredW || 0), 0) / 1000),
      day.map((d) => (d.budgetW == null ? null : d.budgetW / 1000))];
    const s = e.settings;
    return html`
    <p>${[site.name, site.address, site.region || 'national factors', site.timezone].filter(Boolean).join(' · ')} · stations:
      ${site.stations.map((x) => html` <a href="#/stations/${enc(x.stationId)}">${x.stationId}</a>`)}</p>
    ${s ? null : html`<p class="note">No energy controller for this site (<code>csmsctl site energy</code> sets one up).</p>`}
    <h2>Energy flow ${e.time ? html`<small class="note">at ${fmt.time(e.time)}</small>` : null}</h2>
    <div class="flow">
      <${Flow} label="Grid (import +)" w=${pick(e.readings, 'gridW')} k="grid" />
      <${Flow} label="PV" w=${pick(e.readings, 'pvW')} k="pv" />
      <${Flow} label="Battery (charging +)" w=${pick(e.readings, 'batteryW')} k="battery" note=${pick(e.readings, 'batterySoc') != null ? `SoC ${fmt.num(pick(e.readings, 'batterySoc'))} %` : ''} />
      <${Flow} label="Cars" w=${cars} k="cars" />
      <${Flow} label="Budget" w=${e.budgetW} k="budget" note=${e.binding ? `bound by ${e.binding}` : ''} />
    </div>
    ${e.failSafe ? html`<p class="error">The controller is in fail-safe: ${e.failSafe}</p>` : null}
    <h2>Today</h2>
    ${data[0].length < 2 ? html`<p class="note">No decisions today yet.</p>` : html`<div class="panel"><${Chart} title="Site today (kW)" data=${data} label="kW"
      series=${[{ label: 'Grid', stroke: '#5a6472', width: 2 }, { label: 'PV', stroke: '#d9a300', width: 2 },
        { label: 'Battery', stroke: '#7a3fb0', width: 2 }, { label: 'Cars', stroke: '#0b5cad', width: 2 },
        { label: 'Budget', stroke: '#b3261e', dash: [5, 5] }]} /></div>`}
    ${s ? html`<h2>Limits</h2><table><tbody>
      <tr><th>import limit</th><td>${fmt.kw(s.importLimitW)} kW (margin ${fmt.kw(s.marginW)} kW)</td></tr>
      <tr><th>windows</th><td>${(s.windows || []).map((w) => `${w.start}–${w.end}: ${fmt.kw(w.importLimitW)} kW`).join(', ') || 'none'}</td></tr>
      <tr><th>default mode</th><td>${s.defaultMode}; period ${s.periodS} s; safe current ${s.safeCurrentA} A</td></tr>
      <tr><th>battery</th><td>priority SoC ${s.batteryPrioritySoc} %, max discharge ${fmt.kw(s.batteryMaxDischargeW)} kW</td></tr>
    </tbody></table>` : null}
    <h2>EVSEs now</h2>
    <table><thead><tr><th>station</th><th>EVSE</th><th>mode</th><th>circuit</th><th class="num">allocated A</th><th class="num">measured kW</th><th>limited by</th><th class="num">sent A</th></tr></thead><tbody>
      ${(e.evses || []).map((v) => html`<tr><td>${v.station}</td><td>${v.evse}</td><td>${v.mode}${v.active ? '' : ' (idle)'}</td><td>${v.circuit || 'grid'}</td>
        <td class="num">${fmt.num(v.allocationA, 1)}</td><td class="num">${fmt.kw(v.measuredW)}</td><td>${v.limitedBy || ''}</td><td class="num">${v.sentA == null ? '—' : fmt.num(v.sentA, 1)}${v.rejected ? ' rejected' : ''}</td></tr>`)}
    </tbody></table>
    <h2>Decisions</h2>
    <table><thead><tr><th>time</th><th class="num">budget kW</th><th>binding</th><th>fail-safe</th><th class="num">cars kW</th></tr></thead><tbody>
      ${decisions.slice(0, 15).map((d) => html`<tr><td>${fmt.time(d.time)}</td><td class="num">${fmt.kw(d.budgetW)}</td><td>${d.binding || ''}</td>
        <td>${d.failSafe ? 'yes' : ''}</td><td class="num">${fmt.kw((d.evses || []).reduce((a, v) => a + (v.measuredW || 0), 0))}</td></tr>`)}
    </tbody></table>`;
  }}<//>`;
}
