// Carbon: a site's month, a driver's account and ledger.
import { useState } from 'preact/hooks';
import { api } from '../api.js';
import { html, useResource, Loading, fmt, monthKey, qs, enc } from '../ui.js';

function SiteMonth() {
  const sites = useResource(() => api('/api/sites'), []);
  const [site, setSite] = useState('');
  const [month, setMonth] = useState(monthKey());
  const chosen = site || (sites.data && sites.data[0] && sites.data[0].id) || '';
  const report = useResource(() => (chosen ? api(`/api/carbon/report${qs({ site: chosen, month })}`) : Promise.resolve(null)),
    [chosen, month], (type) => type === 'transaction');
  return html`<h2>Per site and month</h2>
    <div class="filters">
      <label>Site<select value=${chosen} onChange=${(e) => setSite(e.target.value)}>
        ${(sites.data || []).map((s) => html`<option value=${s.id}>${s.id}</option>`)}</select></label>
      <label>Month<input type="month" value=${month} onChange=${(e) => setMonth(e.target.value)} /></label>
    </div>
    <${Loading} r=${report}>${(r) => (!r ? html`<p class="note">No sites yet.</p>` : html`
      <div class="cards">
        <div class="card"><div class="label">Sessions</div><div class="value">${r.totals.sessions}</div></div>
        <div class="card"><div class="label">Energy delivered</div><div class="value">${fmt.kwh(r.totals.energyDeliveredWh)} <small>kWh</small></div></div>
        <div class="card"><div class="label">CO₂ avoided</div><div class="value">${fmt.kg(r.totals.reductionKgCO2)} <small>kg</small></div></div>
        <div class="card"><div class="label">Baseline / project</div><div>${fmt.kg(r.totals.baselineKgCO2)} / ${fmt.kg(r.totals.projectKgCO2)} kg</div></div>
        <div class="card"><div class="label">Provenance</div><div>signed ${r.totals.byProvenance.signed}, register ${r.totals.byProvenance.register}, estimate ${r.totals.byProvenance.estimate}</div></div>
      </div>
      <table><thead><tr><th>session</th><th>station</th><th>end</th><th>provenance</th><th class="num">kWh</th><th class="num">kg CO₂ avoided</th><th>flags</th></tr></thead><tbody>
      ${r.sessions.map((s) => html`<tr><td><a href="#/sessions/${enc(s.transactionId)}?station=${enc(s.stationId)}">${s.transactionId}</a></td><td>${s.stationId}</td>
        <td>${fmt.time(s.sessionEnd)}</td><td>${s.provenance}</td><td class="num">${fmt.kwh(s.energyDeliveredWh)}</td>
        <td class="num">${fmt.kg(s.reductionKgCO2)}</td><td>${s.excluded ? `excluded: ${s.excluded} ` : ''}${(s.flags || []).join('; ')}</td></tr>`)}
      </tbody></table>`)}<//>`;
}

function Account() {
  const [input, setInput] = useState('');
  const [tag, setTag] = useState('');
  const r = useResource(async () => {
    if (!tag) return null;
    const [account, ledger] = await Promise.all([
      api(`/api/carbon/accounts/${enc(tag)}`), api(`/api/carbon/ledger${qs({ account: tag })}`)]);
    return { account, ledger };
  }, [tag], (type) => type === 'transaction');
  return html`<h2>Driver accounts and ledger</h2>
    <form class="filters" data-form="account" onSubmit=${(e) => { e.preventDefault(); setTag(input.trim()); }}>
      <label>Id tag or account<input name="account" value=${input} onInput=${(e) => setInput(e.target.value)} /></label>
      <button type="submit">Show</button>
    </form>
    ${tag ? html`<${Loading} r=${r}>${(d) => d && html`
      <div class="cards">
        <div class="card"><div class="label">Account</div><div class="value">${d.account.account}</div></div>
        <div class="card"><div class="label">Points</div><div class="value" data-k="points">${d.account.points}</div></div>
        <div class="card"><div class="label">CO₂ credited</div><div class="value">${fmt.kg(d.account.grams / 1000)} <small>kg</small></div></div>
        <div class="card"><div class="label">Sessions</div><div class="value">${d.account.sessions}</div></div>
      </div>
      <table><thead><tr><th>seq</th><th>time</th><th>type</th><th class="num">points</th><th class="num">grams</th><th>ref</th><th>reason</th></tr></thead><tbody>
      ${d.ledger.slice(-200).reverse().map((x) => html`<tr><td>${x.seq}</td><td>${fmt.time(x.time)}</td><td>${x.type}</td><td class="num">${x.points}</td>
        <td class="num">${x.grams}</td><td>${x.ref || ''}</td><td>${x.reason || ''}</td></tr>`)}</tbody></table>`}<//>` : null}`;
}

export function Carbon() {
  return html`<h1>Carbon</h1><${SiteMonth} /><${Account} />`;
}
