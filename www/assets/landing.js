// The landing page is public. If the visitor already has a session, say so and link to the
// dashboard; without one (401) the page stays as it is.

import { displayName, fill, getJSON, h } from './lib.js';

const note = document.getElementById('signed-in-note');

try {
  const session = await getJSON('/auth/session');
  if (session?.authenticated) {
    fill(note, 'You are signed in as ', h('strong', { text: displayName(session.user) }), '. ', h('a', { href: '/dashboard', text: 'Open your dashboard' }), '.');
    note.hidden = false;
  }
} catch {
  // Signed out (or the session could not be read): the "Sign in" button is all we need.
}
