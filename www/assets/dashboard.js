// The account dashboard. Everything shown comes from the Worker's JSON routes:
//   GET  /auth/session            who is signed in, organization, role, permissions, token times
//   GET  /auth/organizations      the user's memberships, for the switcher
//   POST /auth/switch-organization {"organizationId"}
//   GET  /auth/sessions           the user's sessions
//   POST /auth/sessions/revoke    {"sessionId"} | {"allExceptCurrent": true}
// A 401 from any of them (no session, or it ended) sends the browser to sign-in and back.
// Values are only ever put into the page as text.

import {
  ApiError,
  avatar,
  describeDevice,
  describeDuration,
  displayName,
  fill,
  formatCountdown,
  formatDateTime,
  formatRelative,
  formatTime,
  getJSON,
  goToSignIn,
  h,
  postJSON,
  timeElement,
  toDate,
} from './lib.js';

const REPORTS_PERMISSION = 'reports:read';
/** Ask for the session again this close to expiry, so the edge refreshes the token. */
const REREAD_BEFORE_EXPIRY_SECONDS = 30;
const REREAD_MIN_INTERVAL_MS = 10_000;

const $ = (id) => document.getElementById(id);

const state = {
  session: null,
  organizations: [],
  sessions: [],
  busy: false,
  lastSessionRead: 0,
};

// ---------------------------------------------------------------------------------------------
// Loading

async function loadAll() {
  await loadSession();
  const [organizations, sessions] = await Promise.all([
    getJSON('/auth/organizations'),
    getJSON('/auth/sessions'),
  ]);
  state.organizations = organizations?.organizations ?? [];
  state.sessions = sessions?.sessions ?? [];
  renderSession();
  renderOrganizations();
  renderSessions();
}

async function loadSession() {
  state.lastSessionRead = Date.now();
  state.session = await getJSON('/auth/session');
  renderSession();
}

async function loadSessions() {
  state.sessions = (await getJSON('/auth/sessions'))?.sessions ?? [];
  renderSessions();
}

/** Runs a load or an action; a 401 goes to sign-in, anything else shows the error banner. */
async function guarded(work) {
  try {
    await work();
    hideError();
    return true;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      announce('Your session has ended. Taking you to sign-in…');
      goToSignIn();
      return false;
    }
    showError(error);
    return false;
  } finally {
    $('content').setAttribute('aria-busy', 'false');
  }
}

// ---------------------------------------------------------------------------------------------
// Rendering

function renderSession() {
  const s = state.session;
  if (!s) return;
  const user = s.user ?? {};
  const name = displayName(user);

  $('welcome').textContent = `Welcome back, ${user.firstName || name}.`;
  fill($('avatar-slot'), avatar(user));
  $('user-name').textContent = name;
  $('user-email').textContent = user.email ?? '';
  $('auth-method').textContent = s.authenticationMethod || 'Unknown';
  $('session-id').textContent = s.sessionId ?? 'unknown';

  renderImpersonation(s.impersonator, name);
  renderOrganization();
  renderReports();
  renderTokenTimes();
  tick();
}

function renderImpersonation(impersonator, name) {
  const banner = $('impersonation');
  if (!impersonator) {
    banner.hidden = true;
    return;
  }
  const reason = typeof impersonator.reason === 'string' && impersonator.reason.trim() ? impersonator.reason : null;
  fill(
    $('impersonation-text'),
    h('strong', { text: impersonator.email || 'Someone' }),
    ' is signed in as ',
    h('strong', { text: name }),
    '. ',
    reason ? `Reason: ${reason}` : 'No reason was given.',
  );
  banner.hidden = false;
}

function currentOrganization() {
  const id = state.session?.organizationId;
  if (!id) return null;
  return state.organizations.find((o) => o.id === id) ?? { id, name: null };
}

function renderOrganization() {
  const s = state.session;
  const org = currentOrganization();
  const orgName = $('org-name');
  if (!org) {
    fill(orgName, h('span', { class: 'empty', text: 'No organization selected' }));
  } else {
    orgName.textContent = org.name ?? `Organization ${org.id}`;
  }

  fill($('role'), s.role ? h('span', { class: 'badge', text: s.role }) : h('span', { class: 'empty', text: org ? 'None' : 'None — choose an organization below' }));

  const permissions = Array.isArray(s.permissions) ? s.permissions : [];
  fill(
    $('permissions'),
    permissions.length
      ? h('ul', { class: 'chips', 'aria-labelledby': 'permissions-label' }, permissions.map((p) => h('li', { text: p })))
      : h('span', { class: 'empty', text: 'None in this session' }),
  );
}

function renderReports() {
  const permissions = state.session?.permissions ?? [];
  const allowed = permissions.includes(REPORTS_PERMISSION);
  const badge = $('reports-badge');
  badge.textContent = allowed ? 'Allowed' : 'Locked';
  badge.className = allowed ? 'badge ok' : 'badge muted';
  const org = currentOrganization();
  fill(
    $('reports-text'),
    allowed
      ? [
          'Your role',
          org?.name ? ` in ${org.name}` : '',
          ' grants ',
          h('code', { text: REPORTS_PERMISSION }),
          ', so the edge lets you in.',
        ]
      : [
          'The edge answers 403 unless your session has ',
          h('code', { text: REPORTS_PERMISSION }),
          '. Switch to an organization where your role grants it.',
        ],
  );
}

function renderOrganizations() {
  const list = $('organizations');
  if (!state.organizations.length) {
    fill(list, h('li', {}, h('p', { class: 'empty', text: 'You are not a member of any organization.' })));
    return;
  }
  const currentId = state.session?.organizationId;
  fill(
    list,
    state.organizations.map((org) => {
      const current = org.id === currentId;
      return h(
        'li',
        { dataset: { organizationId: org.id, current: String(current) } },
        h(
          'div',
          { class: 'row-main' },
          h('p', { class: 'row-title', text: org.name || org.id }),
          h('p', { class: 'row-sub', text: org.role ? `Your role: ${org.role}` : 'No role' }),
        ),
        current
          ? h('span', { class: 'badge ok', text: 'Current' })
          : h('button', {
              type: 'button',
              class: 'button small secondary',
              'data-action': 'switch',
              'aria-label': `Switch to ${org.name || org.id}`,
              text: 'Switch',
            }),
      );
    }),
  );
  for (const button of list.querySelectorAll('button[data-action="switch"]')) {
    const id = button.closest('li').dataset.organizationId;
    const org = state.organizations.find((o) => o.id === id);
    button.addEventListener('click', () => switchOrganization(org, button));
  }
}

function activeSessions() {
  return state.sessions
    .filter((s) => !s.status || s.status === 'active')
    .sort((a, b) => Number(b.current) - Number(a.current) || String(b.createdAt).localeCompare(String(a.createdAt)));
}

function renderSessions() {
  const list = $('sessions');
  const sessions = activeSessions();
  const others = sessions.filter((s) => !s.current);
  $('revoke-others').disabled = others.length === 0;

  if (!sessions.length) {
    fill(list, h('li', {}, h('p', { class: 'empty', text: 'No active sessions.' })));
    return;
  }
  fill(
    list,
    sessions.map((session) => {
      const device = describeDevice(session.userAgent);
      const created = toDate(session.createdAt);
      const sub = [`Session …${String(session.id).slice(-6)}`, `IP ${session.ipAddress || 'unknown'}`];
      const row = h(
        'li',
        { dataset: { sessionId: session.id, current: String(Boolean(session.current)) } },
        h(
          'div',
          { class: 'row-main' },
          h(
            'p',
            { class: 'row-title' },
            h('span', { class: 'device', title: session.userAgent || null, text: device }),
            session.current ? [' ', h('span', { class: 'badge ok', text: 'This device' })] : null,
          ),
          h(
            'p',
            { class: 'row-sub' },
            sub.join(' · '),
            created ? [' · Signed in ', timeElement(created, `${formatDateTime(created)} (${formatRelative(created)})`)] : null,
          ),
        ),
      );
      if (!session.current) {
        const button = h('button', {
          type: 'button',
          class: 'button small danger',
          'data-action': 'revoke',
          'aria-label': `Revoke ${device}${created ? `, signed in ${formatDateTime(created)}` : ''}`,
          text: 'Revoke',
        });
        button.addEventListener('click', () => revokeSession(session, device, button));
        row.append(button);
      }
      return row;
    }),
  );
}

// ---------------------------------------------------------------------------------------------
// The access token: a live countdown to expiry, and when WorkOS last minted it.

function renderTokenTimes() {
  const s = state.session;
  const expires = toDate(s.accessTokenExpiresAt);
  const issued = toDate(s.accessTokenIssuedAt);
  fill($('token-expires'), expires ? timeElement(expires, formatTime(expires)) : 'unknown');
  fill($('token-issued'), issued ? [timeElement(issued, formatTime(issued)), h('span', { class: 'card-note', id: 'token-issued-ago' })] : 'unknown');
  $('token-note').textContent = s.refreshedNow
    ? 'The edge refreshed this token through WorkOS while answering this page.'
    : 'The edge refreshes it through WorkOS on your next request shortly before it expires; this page asks again in time.';
}

function tick() {
  const s = state.session;
  if (!s) return;
  const now = Date.now() / 1000;
  const expiresAt = Number(s.accessTokenExpiresAt);
  const issuedAt = Number(s.accessTokenIssuedAt);
  const countdown = $('countdown');
  if (!Number.isFinite(expiresAt)) {
    countdown.textContent = '–:––';
    return;
  }
  const remaining = expiresAt - now;
  countdown.textContent = formatCountdown(remaining);
  countdown.classList.toggle('soon', remaining < 120);
  $('countdown-words').textContent = remaining > 0 ? `${describeDuration(remaining)} left` : 'Expired';
  const lifetime = Number.isFinite(issuedAt) && expiresAt > issuedAt ? expiresAt - issuedAt : 3600;
  $('token-meter').style.width = `${Math.max(0, Math.min(1, remaining / lifetime)) * 100}%`;
  const ago = $('token-issued-ago');
  if (ago && Number.isFinite(issuedAt)) ago.textContent = ` (${formatRelative(new Date(issuedAt * 1000))})`;

  if (remaining <= REREAD_BEFORE_EXPIRY_SECONDS && !state.busy && Date.now() - state.lastSessionRead > REREAD_MIN_INTERVAL_MS) {
    guarded(loadSession);
  }
}

// ---------------------------------------------------------------------------------------------
// Actions

async function act(button, busyText, work) {
  if (state.busy) return;
  state.busy = true;
  const label = button.textContent;
  const buttons = document.querySelectorAll('button[data-action], #revoke-others');
  for (const b of buttons) b.disabled = true;
  button.textContent = busyText;
  button.setAttribute('aria-busy', 'true');
  try {
    await guarded(work);
  } finally {
    state.busy = false;
    if (button.isConnected) {
      button.textContent = label;
      button.removeAttribute('aria-busy');
    }
    for (const b of document.querySelectorAll('button[data-action]')) b.disabled = false;
    $('revoke-others').disabled = activeSessions().filter((s) => !s.current).length === 0;
  }
}

function switchOrganization(org, button) {
  return act(button, 'Switching…', async () => {
    const result = await postJSON('/auth/switch-organization', { organizationId: org.id });
    await loadAll();
    const role = result?.role ?? state.session?.role;
    announce(`Switched to ${org.name || org.id}. ${role ? `Your role is ${role}.` : 'You have no role there.'}`);
    $('org-title').focus();
  });
}

function revokeSession(session, device, button) {
  return act(button, 'Revoking…', async () => {
    const result = await postJSON('/auth/sessions/revoke', { sessionId: session.id });
    await loadSessions();
    const count = result?.revoked?.length ?? 0;
    announce(count ? `Signed out ${device}.` : 'That session had already ended.');
    $('sessions-title').focus();
  });
}

function revokeOthers() {
  const button = $('revoke-others');
  return act(button, 'Signing out…', async () => {
    const result = await postJSON('/auth/sessions/revoke', { allExceptCurrent: true });
    await loadSessions();
    const count = result?.revoked?.length ?? 0;
    announce(count === 0 ? 'You were not signed in anywhere else.' : `Signed out of ${count} other session${count === 1 ? '' : 's'}.`);
    $('sessions-title').focus();
  });
}

// ---------------------------------------------------------------------------------------------
// Messages

function announce(message) {
  const status = $('status');
  status.textContent = '';
  // A fresh text node after clearing makes screen readers announce repeated messages too.
  setTimeout(() => {
    status.textContent = message;
  }, 30);
}

function showError(error) {
  const message =
    error instanceof ApiError
      ? error.status === 503
        ? 'Sign-in is temporarily unavailable. Please try again in a moment.'
        : error.message
      : 'The page could not be updated. Please try again.';
  $('error-text').textContent = message;
  $('error').hidden = false;
  if (!state.session) $('welcome').textContent = 'Your session could not be loaded.';
}

function hideError() {
  $('error').hidden = true;
}

// ---------------------------------------------------------------------------------------------
// Start

$('retry').addEventListener('click', () => guarded(loadAll));
$('revoke-others').addEventListener('click', revokeOthers);
document.addEventListener('visibilitychange', () => {
  if (document.visibilityState === 'visible' && state.session && !state.busy && Date.now() - state.lastSessionRead > 30_000) {
    guarded(loadSession);
  }
});
setInterval(tick, 1000);
guarded(loadAll);
