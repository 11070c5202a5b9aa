// Shared helpers for the pages behind workos-edge: the JSON routes under /auth/, building DOM
// nodes safely (text only: data never goes through innerHTML), and formatting.

/** A non-2xx answer from one of the Worker's JSON routes. */
export class ApiError extends Error {
  constructor(status, body) {
    super(body?.message || `The request failed (HTTP ${status}).`);
    this.name = 'ApiError';
    this.status = status;
    this.code = body?.error ?? null;
    this.reason = body?.reason ?? null;
  }
}

async function request(method, path, body) {
  const headers = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  let res;
  try {
    res = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      credentials: 'same-origin',
      cache: 'no-store',
    });
  } catch {
    throw new ApiError(0, { message: 'The network request failed. Check your connection and try again.' });
  }
  const data = await res.json().catch(() => null);
  if (!res.ok) throw new ApiError(res.status, data);
  return data;
}

/** GET a JSON route; throws ApiError (status 401 when there is no session). */
export const getJSON = (path) => request('GET', path);

/** POST JSON to a route (the Worker takes JSON only, from this origin only). */
export const postJSON = (path, body) => request('POST', path, body);

/** The sign-in URL that comes back to the current page. */
export function signInUrl(returnTo = location.pathname + location.search) {
  return `/auth/login?${new URLSearchParams({ returnTo })}`;
}

/** Sends the browser to sign-in, returning here afterwards. */
export function goToSignIn() {
  location.assign(signInUrl());
}

/**
 * Creates an element. `props`: `class`, `text` (set as textContent), `dataset`, `hidden`,
 * any other key becomes an attribute. Children are nodes or strings (as text nodes).
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = value;
    else if (key === 'text') node.textContent = String(value);
    else if (key === 'dataset') Object.assign(node.dataset, value);
    else if (key === 'hidden') node.hidden = true;
    else node.setAttribute(key, value === true ? '' : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

/** Replaces an element's children. */
export function fill(node, ...children) {
  node.replaceChildren(...children.flat().filter((c) => c !== null && c !== undefined && c !== false));
}

/** "First Last", falling back to the user's name, then the email. */
export function displayName(user) {
  const full = [user?.firstName, user?.lastName].filter((s) => typeof s === 'string' && s.trim()).join(' ').trim();
  return full || (typeof user?.name === 'string' && user.name.trim()) || user?.email || 'Signed-in user';
}

/** Up to two initials for an avatar. */
export function initials(user) {
  const parts = [user?.firstName, user?.lastName].filter((s) => typeof s === 'string' && s.trim());
  const source = parts.length ? parts : [displayName(user)];
  return source
    .map((s) => Array.from(s.trim())[0] ?? '')
    .join('')
    .slice(0, 2)
    .toUpperCase() || '?';
}

/** An avatar: the profile picture when there is an http(s) URL, else initials. */
export function avatar(user, className = 'avatar') {
  const url = safeImageUrl(user?.profilePictureUrl);
  if (url) {
    return h('img', { class: className, src: url, alt: '', width: 56, height: 56, referrerpolicy: 'no-referrer', dataset: { kind: 'picture' } });
  }
  return h('span', { class: className, 'aria-hidden': 'true', text: initials(user), dataset: { kind: 'initials' } });
}

function safeImageUrl(value) {
  if (typeof value !== 'string' || !value) return null;
  try {
    const url = new URL(value, location.href);
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : null;
  } catch {
    return null;
  }
}

/** "Chrome on macOS" from a user agent; "Unknown device" without one. */
export function describeDevice(userAgent) {
  if (typeof userAgent !== 'string' || !userAgent.trim()) return 'Unknown device';
  const ua = userAgent;
  const browser =
    /Edg(A|iOS)?\//.test(ua) ? 'Edge'
    : /OPR\//.test(ua) ? 'Opera'
    : /(Firefox|FxiOS)\//.test(ua) ? 'Firefox'
    : /(Chrome|Chromium|CriOS)\//.test(ua) ? 'Chrome'
    : /Version\/[\d.]+.*Safari\//.test(ua) ? 'Safari'
    : null;
  const os =
    /Windows/.test(ua) ? 'Windows'
    : /iPhone|iPad|iPod/.test(ua) ? 'iOS'
    : /Android/.test(ua) ? 'Android'
    : /CrOS/.test(ua) ? 'ChromeOS'
    : /Mac OS X|Macintosh/.test(ua) ? 'macOS'
    : /Linux/.test(ua) ? 'Linux'
    : null;
  if (browser && os) return `${browser} on ${os}`;
  if (browser || os) return browser || os;
  return ua.length > 60 ? `${ua.slice(0, 57)}…` : ua;
}

const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });
const timeOnly = new Intl.DateTimeFormat(undefined, { timeStyle: 'medium' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** A date from an ISO string or Unix seconds; null when missing or invalid. */
export function toDate(value) {
  if (value === null || value === undefined || value === '') return null;
  const date = typeof value === 'number' ? new Date(value * 1000) : new Date(value);
  return Number.isNaN(date.getTime()) ? null : date;
}

export const formatDateTime = (date) => dateTime.format(date);
export const formatTime = (date) => timeOnly.format(date);

/** "3 minutes ago", "in 2 hours". */
export function formatRelative(date, now = Date.now()) {
  const seconds = Math.round((date.getTime() - now) / 1000);
  const abs = Math.abs(seconds);
  if (abs < 10) return 'just now';
  if (abs < 45) return relative.format(seconds, 'second');
  if (abs < 45 * 60) return relative.format(Math.round(seconds / 60), 'minute');
  if (abs < 22 * 3600) return relative.format(Math.round(seconds / 3600), 'hour');
  return relative.format(Math.round(seconds / 86400), 'day');
}

/** A <time> element with a machine-readable datetime. */
export function timeElement(date, text) {
  return h('time', { datetime: date.toISOString(), title: formatDateTime(date), text });
}

/** "59:07" or "1:02:03" for a number of seconds (never negative). */
export function formatCountdown(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  const mm = String(minutes).padStart(hours ? 2 : 1, '0');
  const ss = String(seconds).padStart(2, '0');
  return hours ? `${hours}:${mm}:${ss}` : `${mm}:${ss}`;
}

/** "59 minutes 7 seconds", for people and screen readers. */
export function describeDuration(totalSeconds) {
  const s = Math.max(0, Math.floor(totalSeconds));
  const parts = [];
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const seconds = s % 60;
  if (hours) parts.push(`${hours} hour${hours === 1 ? '' : 's'}`);
  if (minutes) parts.push(`${minutes} minute${minutes === 1 ? '' : 's'}`);
  if (seconds || !parts.length) parts.push(`${seconds} second${seconds === 1 ? '' : 's'}`);
  return parts.join(' ');
}
