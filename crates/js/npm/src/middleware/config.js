// Middleware options, named as authkit-nextjs names them, with the WORKOS_* environment
// variables as defaults. Resolved once per distinct configuration and checked up front, so a
// misconfiguration fails at the first request with a message naming the setting (never its value).

const DEFAULT_COOKIE_MAX_AGE = 400 * 24 * 60 * 60; // authkit-nextjs's default (400 days)

/** `process.env` where there is one (Node, Bun, Workers with nodejs_compat), else Deno's. */
export function processEnv() {
  try {
    if (typeof process !== 'undefined' && process.env) return process.env;
    if (typeof Deno !== 'undefined') return Deno.env.toObject();
  } catch {
    // Deno without --allow-env: nothing from the environment.
  }
  return {};
}

const text = (value) => (value === undefined || value === null || value === '' ? undefined : String(value));

function number(name, value, fallback) {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0) throw new Error(`workos-edge: ${name} must be a non-negative number`);
  return n;
}

function bool(name, value) {
  if (value === undefined || typeof value === 'boolean') return value;
  if (/^(true|1)$/i.test(value)) return true;
  if (/^(false|0)$/i.test(value)) return false;
  throw new Error(`workos-edge: ${name} must be true or false`);
}

/**
 * The settings the middleware runs with. `env` is a bindings object (Workers, Hono's `c.env`)
 * consulted before `process.env`.
 */
export function resolveOptions(options = {}, env = undefined) {
  const fromEnv = (name) => text(env?.[name]) ?? text(processEnv()[name]);
  const pick = (option, name) => text(options[option]) ?? fromEnv(name);
  const required = (option, name) => {
    const value = pick(option, name);
    if (!value) throw new Error(`workos-edge: ${option} is required (option ${option} or env ${name})`);
    return value;
  };
  const cookiePassword = required('cookiePassword', 'WORKOS_COOKIE_PASSWORD');
  if (cookiePassword.length < 32) throw new Error('workos-edge: cookiePassword must be at least 32 characters');
  const redirectUri = pick('redirectUri', 'WORKOS_REDIRECT_URI');
  const sameSite = (pick('cookieSameSite', 'WORKOS_COOKIE_SAMESITE') ?? 'lax').toLowerCase();
  if (!['lax', 'strict', 'none'].includes(sameSite)) throw new Error('workos-edge: cookieSameSite must be lax, strict or none');
  const apiHostname = pick('apiHostname', 'WORKOS_API_HOSTNAME') ?? 'api.workos.com';
  const apiHttps = bool('apiHttps', options.apiHttps ?? fromEnv('WORKOS_API_HTTPS')) ?? true;
  const apiPort = text(options.apiPort) ?? fromEnv('WORKOS_API_PORT');
  return {
    clientId: required('clientId', 'WORKOS_CLIENT_ID'),
    apiKey: required('apiKey', 'WORKOS_API_KEY'),
    cookiePassword,
    redirectUri,
    callbackPath: redirectUri ? new URL(redirectUri).pathname : '/auth/callback',
    cookieName: pick('cookieName', 'WORKOS_COOKIE_NAME') ?? 'wos-session',
    cookieMaxAge: number('cookieMaxAge', options.cookieMaxAge ?? fromEnv('WORKOS_COOKIE_MAX_AGE'), DEFAULT_COOKIE_MAX_AGE),
    cookieDomain: pick('cookieDomain', 'WORKOS_COOKIE_DOMAIN'),
    cookieSameSite: sameSite,
    /** Unset: Secure when the redirect URI (or else the request) is https, or SameSite=None. */
    cookieSecure: bool('cookieSecure', options.cookieSecure ?? fromEnv('WORKOS_COOKIE_SECURE')),
    baseUrl: `${apiHttps ? 'https' : 'http'}://${apiHostname}${apiPort ? `:${apiPort}` : ''}`,
    refreshBufferSeconds: number('refreshBufferSeconds', options.refreshBufferSeconds ?? fromEnv('WORKOS_REFRESH_BUFFER_SECONDS'), 60),
    signInPath: options.signInPath ?? '/auth/login',
    signOutPath: options.signOutPath ?? '/auth/logout',
    signOutReturnPath: options.signOutReturnPath ?? '/',
    routes: options.routes !== false,
    coordinator: options.coordinator,
    fetch: options.fetch,
    onError: options.onError,
  };
}

/** A key telling configurations apart, so one engine (caches, single-flight) serves each. */
export function configKey(config) {
  const { coordinator, fetch, onError, ...plain } = config;
  return JSON.stringify(plain);
}
