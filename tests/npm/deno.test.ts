// The PACKED npm package (tests/npm/pack.mjs installs it) under Deno: the portable suite
// (portable.mjs: vectors, the emulator with WORKOS_EMULATOR_URL, the fetch middleware behind
// Deno.serve), type-checked against the package's own .d.ts, and the WebCrypto signature path.
//
//   WORKOS_EMULATOR_URL=... node_modules/.bin/deno test --allow-read --allow-net --allow-env tests/npm/deno.test.ts

import * as ours from 'workos-edge';
import { assert, cases } from './portable.mjs';

// deno-lint-ignore no-explicit-any
type Json = any;

const pub: Json = JSON.parse(await Deno.readTextFile(new URL('../../crates/core/tests/data/public.json', import.meta.url)));
const CLIENT_ID: string = pub.client_id;
const JWKS_URL = `${pub.api_base_url}/sso/jwks/${CLIENT_ID}`;
const json = (value: unknown) => JSON.parse(JSON.stringify(value));
const fetchJwks = (input: string | URL | Request): Promise<Response> => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
  if (url !== JWKS_URL) return Promise.resolve(new Response('{"message":"unexpected"}', { status: 599 }));
  return Promise.resolve(new Response(JSON.stringify(pub.jwks), { status: 200, headers: { 'content-type': 'application/json' } }));
};

const serve = (handler: (request: Request) => Promise<Response>) => {
  const server = Deno.serve({ port: 0, hostname: '127.0.0.1', onListen() {} }, handler);
  return Promise.resolve({ url: `http://127.0.0.1:${server.addr.port}`, stop: () => server.shutdown() });
};

Deno.test('runs in Deno (not Node)', () => {
  if (typeof Deno.version.deno !== 'string' || !navigator.userAgent.startsWith('Deno/')) throw new Error('not Deno');
});

const portable = cases({ emulatorUrl: Deno.env.get('WORKOS_EMULATOR_URL'), serve }) as [string, () => Promise<void>][];
for (const [name, fn] of portable) Deno.test({ name, fn, sanitizeResources: false, sanitizeOps: false });

Deno.test('the WebCrypto signature path (no node:crypto, as in Workers) gives the same results', async () => {
  const proc = (globalThis as Json).process;
  const saved = proc.getBuiltinModule;
  proc.getBuiltinModule = undefined;
  let webcrypto: typeof ours;
  try {
    // A second instance of the module, loaded while process.getBuiltinModule is hidden. Deno
    // keeps one instance per file under node_modules (a ?query does not make another), so the
    // installed package is copied out of node_modules first.
    const installed = new URL('.', import.meta.resolve('workos-edge'));
    const copy = await Deno.makeTempDir({ prefix: 'workos-edge-webcrypto-' });
    await new Deno.Command('cp', { args: ['-rL', `${installed.pathname}.`, copy] }).output();
    webcrypto = (await import(`file://${copy}/index.js`)) as unknown as typeof ours;
    await Deno.remove(copy, { recursive: true }); // loaded: the files are no longer needed
  } finally {
    proc.getBuiltinModule = saved;
  }
  const subtle = crypto.subtle as Json;
  const verify = subtle.verify;
  let calls = 0;
  subtle.verify = (...args: Json[]) => {
    calls++;
    return verify.apply(subtle, args);
  };
  try {
    const viaWebCrypto = new webcrypto.WorkOS('sk_test_deno', { clientId: CLIENT_ID, fetch: fetchJwks, tokenCache: false });
    for (const t of pub.access_tokens) {
      const result = await viaWebCrypto.userManagement
        .loadSealedSession({ sessionData: t.sealed_session_with_this_token, cookiePassword: pub.passwords.main })
        .authenticate();
      const recorded = t.expected.workos_authenticate;
      assert.deepEqual(json(result), recorded.ok ? recorded.value : { authenticated: false, reason: 'invalid_jwt' }, t.name);
    }
  } finally {
    subtle.verify = verify;
  }
  if (calls < 3) throw new Error(`WebCrypto verify was called ${calls} times`);
});
