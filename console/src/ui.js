// Shared pieces: data loading that follows live events, formatting, charts.
import { h } from 'preact';
import { useEffect, useRef, useState, useCallback } from 'preact/hooks';
import htm from 'htm';
import uPlot from 'uplot';
import { onLive } from './api.js';

export const html = htm.bind(h);

/**
 * Loads `loader()` now, when `deps` change, and (debounced) when a live event
 * passes `match(type, data)`. Returns {data, error, loading, reload}.
 */
export function useResource(loader, deps, match, delayMs = 250) {
  const [state, setState] = useState({ data: undefined, error: null, loading: true });
  const seq = useRef(0);
  const reload = useCallback(() => {
    const mine = ++seq.current;
    loader().then(
      (data) => { if (mine === seq.current) setState({ data, error: null, loading: false }); },
      (error) => { if (mine === seq.current) setState((s) => ({ data: s.data, error, loading: false })); });
  }, deps);
  useEffect(() => {
    setState((s) => ({ ...s, loading: true }));
    reload();
  }, [reload]);
  useEffect(() => {
    if (!match) return undefined;
    let timer = null;
    const off = onLive((type, data) => {
      if (type !== 'reconnected' && !match(type, data)) return;
      if (timer) return;
      timer = setTimeout(() => { timer = null; reload(); }, delayMs);
    });
    return () => { off(); if (timer) clearTimeout(timer); };
  }, [reload]);
  // Lets a page apply an event to what it shows without a reload.
  const patch = useCallback((f) => setState((s) => (s.data === undefined ? s : { ...s, data: f(s.data) })), []);
  return { ...state, reload, patch };
}

export function Loading({ r, children }) {
  if (r.error && r.data === undefined) return html`<p class="error" role="alert">${r.error.message}</p>`;
  if (r.data === undefined) return html`<p class="note">Loading…</p>`;
  return html`${r.error ? html`<p class="error" role="alert">${r.error.message}</p>` : null}${children(r.data)}`;
}

export const fmt = {
  time(t) { return t ? new Date(t).toLocaleString() : '—'; },
  kwh(wh) { return wh == null ? '—' : (wh / 1000).toFixed(wh >= 100000 ? 0 : wh >= 10000 ? 2 : 3); },
  kw(w) { return w == null ? '—' : (w / 1000).toFixed(1); },
  kg(kg) { return kg == null ? '—' : Number(kg).toFixed(kg >= 100 ? 0 : 2); },
  num(n, d = 0) { return n == null ? '—' : Number(n).toFixed(d); },
};

const statusClass = {
  Available: 'ok', Charging: 'ok', Occupied: 'ok', Preparing: 'warn', SuspendedEV: 'warn', SuspendedEVSE: 'warn',
  Finishing: 'warn', Reserved: 'warn', Unavailable: 'muted', Faulted: 'bad', Unknown: 'muted',
};
export function StatusTag({ status }) {
  return html`<span class="tag ${statusClass[status] || 'muted'}">${status || 'Unknown'}</span>`;
}
export function OnlineTag({ connected }) {
  return connected ? html`<span class="tag ok">online</span>` : html`<span class="tag bad">offline</span>`;
}

/** A station's worst connector state: Faulted beats everything. */
export function isFaulted(station) {
  return (station.connectors || []).some((c) => c.status === 'Faulted');
}

/** A uPlot chart: `data` [[x seconds...], [series...]...], `series` uPlot series options. */
export function Chart({ title, data, series, axes, height = 260, label }) {
  const el = useRef(null);
  useEffect(() => {
    if (!el.current) return undefined;
    const width = Math.max(300, el.current.clientWidth || 600);
    const plot = new uPlot({
      title, width, height,
      series: [{}, ...series],
      axes: axes || [{}, { label }],
      scales: { x: { time: true } },
      legend: { live: true },
    }, data, el.current);
    const onResize = () => plot.setSize({ width: Math.max(300, el.current.clientWidth), height });
    window.addEventListener('resize', onResize);
    return () => { window.removeEventListener('resize', onResize); plot.destroy(); };
  }, [JSON.stringify(data), title]);
  return html`<div class="chart" ref=${el} role="img" aria-label=${title || label || 'chart'}></div>`;
}

export function today() { const d = new Date(); d.setHours(0, 0, 0, 0); return d; }
export function monthStart(d = new Date()) { return new Date(d.getFullYear(), d.getMonth(), 1); }
export function monthKey(d = new Date()) { return d.toISOString().slice(0, 7); }
export function qs(params) {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') p.set(k, v);
  const s = p.toString();
  return s ? `?${s}` : '';
}
export function enc(s) { return encodeURIComponent(s); }
