// Who is signed in, as far as the server says. Roles come from the server
// (GET /api/whoami where it exists); a 403 answer to a command also tells us
// the token may only look.
import { optional } from './api.js';

const listeners = new Set();
export const session = {
  role: '',   // '' until known; 'viewer', 'operator', 'admin'
  name: '',
  onChange(f) { listeners.add(f); return () => listeners.delete(f); },
  set(role, name = session.name) {
    session.role = role;
    session.name = name;
    for (const f of listeners) f(role);
  },
  async learnRole() {
    try {
      const me = await optional('/api/whoami');
      if (me && me.role) session.set(me.role, me.name || '');
    } catch { /* unknown: commands decide */ }
  },
  canCommand() { return session.role !== 'viewer'; },
};
