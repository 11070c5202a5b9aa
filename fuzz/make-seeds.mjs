// Writes the seed corpus fuzz/seeds/<target>/ from real inputs: the cookies, tokens, passwords
// and API replies of crates/core/tests/data/public.json (made by the real npm packages), plus
// the examples of the core's own unit tests. Each seed uses its target's input layout (see
// fuzz/src/invariants.rs). Run again after the vectors change: `node fuzz/make-seeds.mjs`.
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const vectors = JSON.parse(readFileSync(join(here, '../crates/core/tests/data/public.json'), 'utf8'));

const bytes = (...parts) =>
  Buffer.concat(parts.map((p) => (typeof p === 'number' ? Buffer.from([p]) : Buffer.from(p))));
const NUL = 0;
const u16le = (n) => Buffer.from([n & 0xff, n >> 8]);
const lp = (text) => bytes(Buffer.byteLength(text), text); // one length byte, then the text

function write(target, seeds) {
  const dir = join(here, 'seeds', target);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  for (const [name, data] of seeds) {
    const hash = createHash('sha1').update(data).digest('hex').slice(0, 8);
    writeFileSync(join(dir, `${name}-${hash}`), data);
  }
  console.log(`${target}: ${seeds.length} seeds`);
}

// unseal: 0 = cookie to open, 1 = JSON text to seal, 2 = built value, 3 = raw bytes via iron.
const cookies = [
  ...vectors.seal_vectors.map((v) => [v.id, v.sealed]),
  ...vectors.access_tokens
    .filter((t) => t.sealed_session_with_this_token)
    .map((t) => [`token-${t.name}`, t.sealed_session_with_this_token]),
];
write('unseal', [
  ...cookies.map(([name, c]) => [`open-${name}`, bytes(0, c)]),
  ['open-not-a-seal', bytes(0, 'Fe26.2*1*a*b*c**d*e~2')],
  ...vectors.seal_vectors.slice(0, 4).map((v) => [`json-${v.id}`, bytes(1, v.plaintext_json)]),
  ['json-numbers', bytes(1, '{"a":1.5e300,"b":[null,true,-0.0,18446744073709551615,"\\u2028"]}')],
  ['json-null', bytes(1, 'null')],
  ['built', bytes(2, 9, 6, 3, 1, 3, 'key', 4, 1, 2, 3, 4, 5, 6, 7, 8, 7, 2, 'hi', 2, 255, 255)],
  ['iron-no-expiry', bytes(3, 5, 0, 'plain bytes \x00\xff')],
  ['iron-near-expiry', bytes(3, 5, 1, u16le(60000), 0, 0, 0, 0, 0, 0, '{}')],
  ['iron-zero-expiry', bytes(3, 5, 2, 0, 0, 0, 0, 0, 0, 0, 0, 'x')],
]);

// token: a token as is, or (first byte not 'e') donor signature + header NUL payload.
const b64json = (segment) => Buffer.from(segment, 'base64url');
write('token', [
  ...vectors.access_tokens.map((t) => [`raw-${t.name}`, bytes(t.token)]),
  ...vectors.access_tokens.map((t, i) => {
    const [header, payload] = t.token.split('.');
    return [`parts-${t.name}`, bytes(i, b64json(header ?? ''), NUL, b64json(payload ?? ''))];
  }),
]);

// cookie_header: name NUL value NUL header, name NUL header (remove), or a header alone.
const session = vectors.seal_vectors[0].sealed;
write('cookie_header', [
  ['replace', bytes('wos-session', NUL, 'new', NUL, 'a=1; wos-session=old; b=2')],
  ['append', bytes('wos-session', NUL, session, NUL, 'a=1')],
  ['remove', bytes('wos-session', NUL, 'a=1; wos-session=old; wos-session=older; b=2')],
  ['quoted', bytes('x', NUL, 'v', NUL, 'x="quoted"; y=" spaced "')],
  ['no-equals', bytes('__Host-s', NUL, 'v', NUL, 'wos-session; __Host-s ; =; ;; c=d=e')],
  ['unicode', bytes('é=1; ü; wos-session=\u00a0v\u00a0')],
]);

// return_to: the unit tests' accepted and refused values.
write('return_to', [
  ...['/', '/dashboard?tab=1', '/a/b#c', '/%2e%2e/x', '/é', '/%2', '/ab', '/.//evil.example']
    .map((v, i) => [`ok-${i}`, bytes(v)]),
  ...['https://evil.example', '//evil.example', '/\\evil.example', '/%2fevil.example',
    '/%5cevil', 'javascript:alert(1)', '/\t/evil', '/\u0085/evil']
    .map((v, i) => [`bad-${i}`, bytes(v)]),
]);

// path: flags (bit 0: case-insensitive), raw path NUL glob NUL path to match.
const pathCases = [
  [0, '/assets/%2e%2e/reports/x', '/reports/*', '/reports'],
  [1, '//%72eports/./x/', '/Reports/*', '/REPORTS/x'],
  [0, '/assets/..%2Freports', '/assets/*', '/assetsx/a'],
  [0, '/a/b/..', '/*.css', '/a/site.css'],
  [0, '/docs/./a/b', '/docs/**', '/docs/a/b'],
  [0, '/a%20b/..', '/**/x.js', '/a/b/x.js'],
  [0, '/%7e/%41%42', '/*/x/*.js', '/a/x/b.js'],
  [1, '/caf%C3%A9', '/a*b*c', '/aXbYbZc'],
  [0, '/a%2541', 'favicon.ico', '/favicon.ico'],
  [0, '/a%zz', '/*-*-*-*.js', '/a-b-c-d.js'],
  [0, '/x/%25/y', '/', '/'],
];
write('path', pathCases.map(([flags, raw, glob, path], i) => [
  `case-${i}`, bytes(flags, raw, NUL, glob, NUL, path),
]));

// callback_query: the callback's query string.
const state = 'Ab-_'.repeat(10) + 'xyz';
write('callback_query', [
  ['ok', bytes(`code=01HABCDEF&state=${state}`)],
  ['ok-encoded', bytes(`state=${state}&code=01H%2Ex&code=other`)],
  ['error', bytes('error=access_denied%3Cscript%3E&code=x')],
  ['incomplete', bytes('code=x')],
  ['bad-state', bytes('code=x&state=%C3%A9%C3%A9%zz')],
  ['plus', bytes(`code=a+b&state=${state}&error_description=x`)],
]);

// api_replies: status (u16 LE), flags, [Retry-After], [X-Request-ID], body.
const reply = (status, body, { retryAfter, requestId, kind = 0 } = {}) => {
  const flags = (retryAfter !== undefined ? 1 : 0) | (requestId !== undefined ? 2 : 0) | (kind << 2);
  return bytes(
    u16le(status),
    flags,
    retryAfter !== undefined ? lp(retryAfter) : '',
    requestId !== undefined ? lp(requestId) : '',
    body,
  );
};
const sessionsList = {
  data: [{
    object: 'session', id: 'session_01ABC', user_id: 'user_01ABC', ip_address: '192.0.2.1',
    user_agent: 'Mozilla/5.0', organization_id: null, impersonator: null, auth_method: 'password',
    status: 'active', expires_at: '2026-12-01T00:00:00.000Z', ended_at: null,
    created_at: '2026-11-01T00:00:00.000Z', updated_at: '2026-11-01T00:00:00.000Z',
  }],
  list_metadata: { before: null, after: 'session_01ABD' },
};
const membershipsList = {
  data: [{
    object: 'organization_membership', id: 'om_01ABC', user_id: 'user_01ABC',
    organization_id: 'org_01ABC', organization_name: 'Acme', role: { slug: 'admin' }, status: 'active',
  }],
  list_metadata: { before: null, after: null },
};
write('api_replies', [
  ...vectors.refresh_outcomes.filter((o) => o.api_reply?.status).map((o) => {
    const r = o.api_reply;
    const body = r.raw ? r.body : JSON.stringify(r.body);
    return [`refresh-${o.name}`, reply(r.status, body, { retryAfter: r.headers?.['Retry-After'], requestId: 'req_01' })];
  }),
  ['timeout', reply(0, '', { kind: 1 })],
  ['network-error', reply(0, 'fetch failed', { kind: 2 })],
  ...vectors.seal_vectors.filter((v) => v.api_response).map((v) => [`ok-${v.id}`, reply(200, JSON.stringify(v.api_response))]),
  ['sessions', reply(200, JSON.stringify(sessionsList))],
  ['memberships', reply(200, JSON.stringify(membershipsList))],
  ['jwks', reply(200, JSON.stringify(vectors.jwks))],
]);
