// A fault-injecting HTTP proxy between the Worker (WORKOS_API_BASE_URL = proxy.url) and the
// WorkOS emulator. Tests choose, per route class, what the "WorkOS API" does next: a 500, a 429
// with `Retry-After: 7`, a reply that never comes, headers whose body never finishes
// (stalled-body), a reset connection, a truncated body, a 200 that is not JSON, JSON of the
// wrong shape, an empty key set (JWKS), or any reply they spell out. Without a fault the request is forwarded unchanged. Every request is counted per class,
// and every refresh grant is recorded under its refresh token, so tests can assert that a
// single-use refresh token reached WorkOS exactly once.
//
// Route classes (a fault set on a prefix matches every class under it; `any` matches all):
//   authenticate:refresh_token, authenticate:authorization_code, authenticate:<other grant>
//   jwks                GET /sso/jwks/{clientId}
//   sessions:list       GET /user_management/users/{id}/sessions
//   sessions:revoke     POST /user_management/sessions/revoke
//   memberships         GET /user_management/organization_memberships, GET /organizations/{id}
//                       (both serve /auth/organizations)
//   authorize           GET /user_management/authorize (the browser, not the Worker)
//   logout              GET /user_management/sessions/logout (the browser)
//   other               anything else
//
// Faults are synthesized by the proxy: a faulted request never reaches the emulator, so a
// faulted refresh never spends the refresh token.

import http from 'node:http';

export const FAULTS = ['500', '429', 'hang', 'stalled-body', 'reset', 'truncated', 'non-json', 'wrong-shape', 'empty-jwks'];

/** The route class of a request to the WorkOS API. */
export function classify(method, pathname, body) {
  if (method === 'POST' && pathname === '/user_management/authenticate') {
    return `authenticate:${body?.grant_type ?? 'unknown'}`;
  }
  if (method === 'GET' && pathname.startsWith('/sso/jwks/')) return 'jwks';
  if (method === 'GET' && /^\/user_management\/users\/[^/]+\/sessions$/.test(pathname)) return 'sessions:list';
  if (method === 'POST' && pathname === '/user_management/sessions/revoke') return 'sessions:revoke';
  if (method === 'GET' && (pathname === '/user_management/organization_memberships' || pathname.startsWith('/organizations/'))) {
    return 'memberships';
  }
  if (pathname === '/user_management/authorize') return 'authorize';
  if (pathname === '/user_management/sessions/logout') return 'logout';
  return 'other';
}

function matches(key, cls) {
  return key === 'any' || key === cls || cls.startsWith(`${key}:`);
}

function parseBody(headers, buffer) {
  if (!buffer.length) return null;
  const text = buffer.toString('utf8');
  const type = headers['content-type'] ?? '';
  try {
    if (type.includes('application/x-www-form-urlencoded')) return Object.fromEntries(new URLSearchParams(text));
    return JSON.parse(text);
  } catch {
    try {
      return Object.fromEntries(new URLSearchParams(text));
    } catch {
      return null;
    }
  }
}

/** JSON that parses but is not what the route returns. */
function wrongShape(cls) {
  if (cls.startsWith('authenticate:')) return { user: 'ada@example.com', access_token: 42, refresh_token: ['x'] };
  if (cls === 'jwks') return { keys: { kid: 'not-a-list' } };
  if (cls.startsWith('sessions:') || cls === 'memberships') return { data: { id: 'not-a-list' }, list_metadata: 7 };
  return { unexpected: true, data: 'not-a-list', keys: 'none' };
}

/**
 * Starts the proxy in front of `target` (the emulator URL).
 * Options: `hangMs` (how long a `hang` reply stays open before the socket is destroyed,
 * default 60 s; the Worker is expected to give up long before).
 */
export async function startFaultProxy(target, { hangMs = 60_000 } = {}) {
  const upstream = new URL(target);
  const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });
  /** @type {{key: string, kind: string, options: object, remaining: number}[]} */
  let faults = [];
  const requests = []; // {at, cls, method, path, fault, status, ms}
  const grants = new Map(); // refresh token -> [{at, fault, status}]
  const issued = []; // {at, grant, refreshToken, email} from forwarded authenticate replies
  const sockets = new Set();
  const hanging = new Set();
  let record = true;

  function pickFault(cls) {
    const fault = faults.find((f) => matches(f.key, cls) && f.remaining !== 0);
    if (!fault) return null;
    if (fault.remaining > 0) fault.remaining--;
    return fault;
  }

  function synthesize(fault, cls, req, res, entry) {
    const json = (status, body, headers = {}) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
      res.end(text);
      entry.status = status;
    };
    switch (fault.kind) {
      case '500':
        return json(500, { message: 'Internal Server Error (injected)' });
      case '429':
        return json(429, { message: 'Too Many Requests (injected)', code: 'rate_limit_exceeded' }, { 'retry-after': '7' });
      case 'hang': {
        entry.status = 'hang';
        hanging.add(req.socket);
        const timer = setTimeout(() => req.socket.destroy(), fault.options.ms ?? hangMs);
        req.socket.once('close', () => {
          clearTimeout(timer);
          hanging.delete(req.socket);
        });
        return;
      }
      case 'stalled-body': {
        // Headers and the start of the body at once, then nothing: a timeout must cover
        // reading the body too, not just waiting for the headers.
        entry.status = 'stalled-body';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write('{"object":"stalled","keys":[');
        hanging.add(req.socket);
        const timer = setTimeout(() => req.socket.destroy(), fault.options.ms ?? hangMs);
        req.socket.once('close', () => {
          clearTimeout(timer);
          hanging.delete(req.socket);
        });
        return;
      }
      case 'reset':
        entry.status = 'reset';
        req.socket.destroy();
        return;
      case 'truncated': {
        entry.status = 'truncated';
        const partial = '{"object":"truncated","access_token":"eyJhbGciOiJSUzI1NiIs';
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '4096' });
        res.write(partial);
        setTimeout(() => req.socket.destroy(), 20);
        return;
      }
      case 'non-json': {
        const text = '<html><body><h1>502 Bad Gateway</h1>injected: not JSON</body></html>';
        res.writeHead(200, { 'content-type': 'text/html', 'content-length': Buffer.byteLength(text) });
        res.end(text);
        entry.status = 200;
        return;
      }
      case 'wrong-shape':
        return json(200, wrongShape(cls));
      case 'empty-jwks':
        return json(200, { keys: [] });
      case 'reply':
        return json(fault.options.status ?? 200, fault.options.body ?? {}, fault.options.headers ?? {});
      default:
        throw new Error(`unknown fault ${fault.kind}`);
    }
  }

  const server = http.createServer(async (req, res) => {
    const started = Date.now();
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, 'http://proxy');
    const parsed = parseBody(req.headers, body);
    const cls = classify(req.method, url.pathname, parsed);
    const fault = pickFault(cls);
    const entry = { at: started, cls, method: req.method, path: url.pathname, fault: fault?.kind ?? null, status: null, ms: null };
    if (record) requests.push(entry);
    let grant = null;
    if (cls === 'authenticate:refresh_token' && parsed?.refresh_token) {
      grant = { at: started, fault: fault?.kind ?? null, status: null };
      if (!grants.has(parsed.refresh_token)) grants.set(parsed.refresh_token, []);
      grants.get(parsed.refresh_token).push(grant);
    }
    res.on('finish', () => {
      entry.ms = Date.now() - started;
    });

    if (fault) {
      synthesize(fault, cls, req, res, entry);
      if (grant) grant.status = entry.status;
      return;
    }

    const headers = { ...req.headers, host: upstream.host };
    delete headers['content-length'];
    if (body.length) headers['content-length'] = String(body.length);
    const out = http.request(
      { host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers, agent },
      async (up) => {
        const parts = [];
        for await (const chunk of up) parts.push(chunk);
        const reply = Buffer.concat(parts);
        entry.status = up.statusCode;
        if (grant) grant.status = up.statusCode;
        if (cls.startsWith('authenticate:') && up.statusCode === 200) {
          try {
            const data = JSON.parse(reply.toString('utf8'));
            issued.push({ at: Date.now(), grant: cls.slice('authenticate:'.length), refreshToken: data.refresh_token, email: data.user?.email });
          } catch {}
        }
        const replyHeaders = { ...up.headers };
        delete replyHeaders['transfer-encoding'];
        replyHeaders['content-length'] = String(reply.length);
        res.writeHead(up.statusCode, replyHeaders);
        res.end(reply);
      },
    );
    out.on('error', (e) => {
      entry.status = `upstream error: ${e.code ?? e.message}`;
      if (!res.headersSent) res.writeHead(599, { 'content-type': 'text/plain' });
      res.end();
    });
    out.end(body);
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  const proxy = {
    url: `http://127.0.0.1:${port}`,
    requests,
    issued,

    /** Injects `kind` (one of FAULTS) for route class `key` (or a prefix, or `any`).
     *  `options.times` limits it to the next N matching requests; `options.ms` for `hang`. */
    fault(key, kind, options = {}) {
      if (kind !== 'reply' && !FAULTS.includes(kind)) throw new Error(`unknown fault ${kind}`);
      faults.unshift({ key, kind, options, remaining: options.times ?? -1 });
      return proxy;
    },
    /** Any reply spelled out: `{status, headers, body}` (JSON). */
    reply(key, { status, headers, body }, options = {}) {
      faults.unshift({ key, kind: 'reply', options: { ...options, status, headers, body }, remaining: options.times ?? -1 });
      return proxy;
    },
    /** Removes every fault (requests hanging now stay hung until their client gives up). */
    clear() {
      faults = [];
      return proxy;
    },
    /** Requests seen for a class (or prefix, or `any`); `{forwarded: true}` only those that
     *  reached the emulator, `{since}` only after a time (ms) or a mark. */
    count(key, { forwarded, faulted, since = 0 } = {}) {
      return requests.filter(
        (r) => matches(key, r.cls) && r.at >= since && (!forwarded || r.fault === null) && (!faulted || r.fault !== null),
      ).length;
    },
    /** Counts per class, e.g. `{jwks: 1, 'authenticate:refresh_token': 12}`. */
    counts() {
      const out = {};
      for (const r of requests) out[r.cls] = (out[r.cls] ?? 0) + 1;
      return out;
    },
    /** Every refresh grant made with this refresh token (faulted ones included). */
    grants(refreshToken) {
      return grants.get(refreshToken) ?? [];
    },
    /** Refresh grants with this token that reached the emulator. */
    forwardedGrants(refreshToken) {
      return proxy.grants(refreshToken).filter((g) => g.fault === null);
    },
    /** Refresh tokens that reached the emulator more than once (a double spend). */
    doubleSpent() {
      return [...grants.entries()].filter(([, list]) => list.filter((g) => g.fault === null).length > 1).map(([token]) => token);
    },
    /** All refresh grants, as [refreshToken, grants]. */
    allGrants() {
      return [...grants.entries()];
    },
    /** The refresh token from the latest successful forwarded authenticate reply. */
    lastIssued(grant) {
      return issued.filter((i) => !grant || i.grant === grant).at(-1);
    },
    /** Stop recording individual requests (counts during long load runs stay in `grants`). */
    recordRequests(on) {
      record = on;
    },
    hangingCount() {
      return hanging.size;
    },
    async stop() {
      faults = [];
      for (const s of sockets) s.destroy();
      agent.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return proxy;
}
