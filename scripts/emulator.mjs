#!/usr/bin/env node
// Starts the official WorkOS emulator (`workos emulate`, npm package `workos`) with the repo's
// seed, then creates the seed's organization memberships through its API (the emulator mints
// new ids at every start, so a seed file cannot name them). Stays in the foreground until
// killed; prints one JSON line with the URL when ready.
//
// Usage: node scripts/emulator.mjs [--port 4100]

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const portIndex = process.argv.indexOf('--port');
const port = portIndex > 0 ? Number(process.argv[portIndex + 1]) : 4100;
const url = `http://127.0.0.1:${port}`;
const apiKey = 'sk_test_default';

const child = spawn(
  path.join(root, 'node_modules/.bin/workos'),
  ['emulate', '--port', String(port), '--seed', path.join(root, 'dev/seed.yaml'), '--json'],
  { stdio: ['ignore', 'ignore', 'inherit'] },
);
const stop = () => child.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
child.on('exit', (code) => process.exit(code ?? 0));

async function api(method, pathname, body) {
  const res = await fetch(url + pathname, {
    method,
    headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${pathname}: HTTP ${res.status} ${text}`);
  return JSON.parse(text);
}

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/health`)).ok) break;
  } catch {}
  if (i > 300) {
    console.error('emulator did not become healthy');
    stop();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

const memberships = JSON.parse(fs.readFileSync(path.join(root, 'dev/memberships.json'), 'utf8'));
const organizations = (await api('GET', '/organizations?limit=100')).data;
for (const m of memberships) {
  const [user] = (await api('GET', `/user_management/users?email=${encodeURIComponent(m.email)}`)).data;
  const org = organizations.find((o) => o.name === m.organization);
  if (!user || !org) throw new Error(`seed names an unknown user or organization: ${JSON.stringify(m)}`);
  await api('POST', '/user_management/organization_memberships', {
    user_id: user.id,
    organization_id: org.id,
    role_slug: m.role,
  });
}
console.log(JSON.stringify({ url, apiKey, ready: true }));
