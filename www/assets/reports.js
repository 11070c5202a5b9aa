// The reports page is a static file the edge only serves with `reports:read`; this just says
// who it was served to.

import { displayName, getJSON } from './lib.js';

try {
  const session = await getJSON('/auth/session');
  const role = session.role ? ` with the role ${session.role}` : '';
  document.getElementById('viewer').textContent = `Served to ${displayName(session.user)}${role}.`;
} catch {
  // Nothing to add without a session; the page itself was already allowed by the edge.
}
