// Seals the session of every public seal vector with OUR CLI (workos-edge seal) and writes the
// items verify-with-sdk.mjs checks against the real @workos-inc/node and iron-session.
//
// Usage: node make-items.mjs <path to workos-edge binary> <public.json> <items.json out>

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';

const [bin, vectorsPath, outPath] = process.argv.slice(2);
if (!bin || !vectorsPath || !outPath) {
  console.error('usage: node make-items.mjs <workos-edge> <public.json> <items.json>');
  process.exit(2);
}
const vectors = JSON.parse(fs.readFileSync(vectorsPath, 'utf8'));

function passwordArgs(password) {
  if (typeof password === 'string') return ['--password', password];
  return Object.entries(password).flatMap(([id, secret]) => ['--password', `${id}=${secret}`]);
}

function seal(data, password, extra = []) {
  return execFileSync(bin, ['seal', ...passwordArgs(password), ...extra], {
    input: JSON.stringify(data),
    encoding: 'utf8',
  }).trim();
}

const items = [];
for (const v of vectors.seal_vectors) {
  items.push({
    id: `ours:${v.id}`,
    password: v.password,
    sealed: seal(v.expected_unsealed_json, v.password),
    expected_unsealed_json: v.expected_unsealed_json,
  });
}

const main = vectors.passwords.main;
const session = vectors.seal_vectors[0].expected_unsealed_json;
items.push({
  id: 'ours:ttl-one-hour',
  password: main,
  sealed: seal(session, main, ['--ttl', '3600']),
  expected_unsealed_json: session,
});
// Cookies that must be refused: these prove the checker can fail.
items.push({
  id: 'ours:sealed-with-another-password',
  password: main,
  sealed: seal(session, vectors.passwords.rotated),
  expect: 'invalid_session_cookie',
});
// One character in the middle of the MAC (the last one may only hold padding bits).
const good = seal(session, main);
const at = good.length - 12;
items.push({
  id: 'ours:tampered-mac',
  password: main,
  sealed: good.slice(0, at) + (good[at] === 'A' ? 'B' : 'A') + good.slice(at + 1),
  expect: 'invalid_session_cookie',
});

fs.writeFileSync(outPath, JSON.stringify({ client_id: vectors.client_id, jwks: vectors.jwks, items }, null, 2));
console.error(`wrote ${items.length} items to ${outPath}`);
