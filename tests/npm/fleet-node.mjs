// One process of the fleet in redis.test.mjs: an Express app with workos-edge/express whose
// refresh coordinator is Redis (workos-edge/redis). Every token is due (refresh buffer longer than
// a token's life), so each request with a cookie refreshes. Prints `ready <url>` when listening.
//
//   REDIS_URL=redis://127.0.0.1:6379 WORKOS_API_HOSTNAME=... WORKOS_API_PORT=... node tests/npm/fleet-node.mjs

import http from 'node:http';
import express from 'express';
import { createClient } from 'redis';
import { authkit, requireAuth } from 'workos-edge/express';
import { redisCoordinator } from 'workos-edge/redis';
import { COOKIE_PASSWORD, CLIENT_ID, API_KEY } from './helpers.mjs';

const redis = createClient({ url: process.env.REDIS_URL, socket: { reconnectStrategy: () => 200, connectTimeout: 500 } });
redis.on('error', () => {}); // Redis going away is part of the test; the coordinator fails open.
await redis.connect();

const coordinatorErrors = { count: 0 };
const app = express();
app.use(
  authkit({
    clientId: CLIENT_ID,
    apiKey: API_KEY,
    cookiePassword: COOKIE_PASSWORD,
    apiHostname: process.env.WORKOS_API_HOSTNAME,
    apiPort: process.env.WORKOS_API_PORT,
    apiHttps: false,
    refreshBufferSeconds: 7200,
    coordinator: redisCoordinator(redis, { timeoutMs: 200 }),
    onError: () => coordinatorErrors.count++,
  }),
);
app.get('/me', requireAuth(), (req, res) => res.json({ email: req.workos.user.email, pid: process.pid, coordinatorErrors: coordinatorErrors.count }));

const server = http.createServer(app);
server.listen(0, '127.0.0.1', () => console.log(`ready http://127.0.0.1:${server.address().port}`));
process.on('SIGTERM', () => process.exit(0));
