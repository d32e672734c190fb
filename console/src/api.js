// The admin API from the browser: every call carries the bearer token; the
// live stream is read with fetch() (EventSource cannot send headers).

const KEY = 'csms-token';
let token = sessionStorage.getItem(KEY) || '';
const authListeners = new Set();

export function getToken() { return token; }
export function setToken(t) {
  token = t;
  if (t) sessionStorage.setItem(KEY, t); else sessionStorage.removeItem(KEY);
  for (const f of authListeners) f(t);
}
export function onAuthChange(f) { authListeners.add(f); return () => authListeners.delete(f); }

/** An error answer of the API: its HTTP status and message. */
export class ApiError extends Error {
  constructor(status, message, code) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

/** Proves `candidate` with GET /api/stations before it is used; rejects with ApiError. */
export async function checkToken(candidate) {
  let r;
  try {
    r = await fetch('/api/stations', { headers: { Authorization: `Bearer ${candidate}` } });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  if (r.ok) return;
  let message = `${r.status} ${r.statusText}`;
  try { message = (await r.json()).error || message; } catch { /* keep the status */ }
  throw new ApiError(r.status, message);
}

/** Calls the API; resolves with the parsed JSON (null for 204), rejects with ApiError. */
export async function api(path, { method = 'GET', body } = {}) {
  const headers = { Authorization: `Bearer ${token}` };
  if (body !== undefined) headers['Content-Type'] = 'application/json';
  let r;
  try {
    r = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  } catch (e) {
    throw new ApiError(0, `the server cannot be reached (${e.message})`);
  }
  const text = await r.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch { data = null; }
  if (!r.ok) {
    const message = (data && data.error) || `${r.status} ${r.statusText}`;
    if (r.status === 401) setToken('');
    throw new ApiError(r.status, message, data && data.code);
  }
  return data;
}

/** Like api(), but a 404 (a route this server does not have yet) resolves to `fallback`. */
export async function optional(path, fallback = null) {
  try { return await api(path); } catch (e) {
    if (e.status === 404) return fallback;
    throw e;
  }
}

// ---- live events ----------------------------------------------------------

const eventListeners = new Set();
const stateListeners = new Set();
let streamState = false;
let controller = null;

/** Calls `f(type, data)` for each live event; returns the unsubscribe function. */
export function onLive(f) { eventListeners.add(f); return () => eventListeners.delete(f); }
/** Calls `f(connected)` when the stream connects or drops. */
export function onLiveState(f) { stateListeners.add(f); f(streamState); return () => stateListeners.delete(f); }

function setState(s) {
  if (s === streamState) return;
  streamState = s;
  for (const f of stateListeners) f(s);
}

function dispatch(block) {
  let type = 'message', data = '';
  for (const line of block.split('\n')) {
    if (line.startsWith('event:')) type = line.slice(6).trim();
    else if (line.startsWith('data:')) data += line.slice(5).trim();
  }
  if (!data) return;
  let parsed;
  try { parsed = JSON.parse(data); } catch { return; }
  for (const f of eventListeners) f(type, parsed);
}

/** Keeps one stream open while signed in, reconnecting with a backoff. */
export function startLive() {
  stopLive();
  const mine = new AbortController();
  controller = mine;
  (async () => {
    let delay = 1000;
    while (!mine.signal.aborted && token) {
      try {
        const r = await fetch('/api/stream', { headers: { Authorization: `Bearer ${token}` }, signal: mine.signal });
        if (r.status === 401) { setToken(''); break; }
        if (!r.ok || !r.body) throw new Error(`stream: ${r.status}`);
        setState(true);
        delay = 1000;
        // Everything may have changed while we were away.
        for (const f of eventListeners) f('reconnected', {});
        const reader = r.body.getReader();
        const decoder = new TextDecoder();
        let buf = '';
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buf += decoder.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf('\n\n')) >= 0) {
            dispatch(buf.slice(0, i));
            buf = buf.slice(i + 2);
          }
        }
      } catch (e) {
        if (mine.signal.aborted) break;
      }
      setState(false);
      if (mine.signal.aborted) break;
      await new Promise((res) => setTimeout(res, delay));
      delay = Math.min(delay * 2, 15000);
    }
  })();
}

export function stopLive() {
  if (controller) controller.abort();
  controller = null;
  setState(false);
}
