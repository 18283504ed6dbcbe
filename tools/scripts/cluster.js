// Runs Presently as a small cluster on one machine: a redis-server, two server
// processes sharing presence through it, and a sticky load balancer on PORT
// (default 3000). Each client address always reaches the same process, so
// Socket.IO's HTTP long-polling works (its requests must all reach the process
// that holds the session); websocket upgrades are proxied too. Ctrl-C stops all.
'use strict';
const { spawn } = require('node:child_process');
const { createHash } = require('node:crypto');
const http = require('node:http');
const net = require('node:net');
const { mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

const PORT = Number(process.env.PORT || 3000);
const REDIS_PORT = Number(process.env.REDIS_PORT || 6379);
const BACKENDS = [PORT + 1, PORT + 2];
const main = join(__dirname, '../../dist/apps/server/main.js');
const children = [];

function run(command, args, env) {
  const child = spawn(command, args, { env: { ...process.env, ...env }, stdio: 'inherit' });
  children.push(child);
  child.on('exit', (code, signal) => console.log(`${command} ${args.join(' ')} exited (${code ?? signal})`));
  return child;
}

const redisUrl = process.env.REDIS_URL;
const redis = redisUrl
  ? null
  : run('redis-server', ['--port', String(REDIS_PORT), '--save', '', '--appendonly', 'no', '--dir', mkdtempSync(join(tmpdir(), 'presently-redis-'))]);
const url = redisUrl || `redis://127.0.0.1:${REDIS_PORT}`;
setTimeout(() => {
  // The demo's poll (apps/demo poll.page.ts) is declared, with any the caller declares.
  const polls = ['demo:red-or-blue', process.env.POLLS].filter(Boolean).join(',');
  for (const port of BACKENDS) run(process.execPath, [main], { PORT: String(port), REDIS_URL: url, TRUST_PROXY: '1', POLLS: polls });
}, 300);

/** The same client address always gets the same backend. */
function backendFor(address) {
  const digest = createHash('sha1').update(address || '').digest();
  return BACKENDS[digest[0] % BACKENDS.length];
}

const balancer = http.createServer((req, res) => {
  const port = backendFor(req.socket.remoteAddress);
  const headers = { ...req.headers, 'x-forwarded-for': req.socket.remoteAddress };
  const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers }, (answer) => {
    res.writeHead(answer.statusCode, answer.headers);
    answer.pipe(res);
  });
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502).end('backend unavailable');
    else res.destroy();
  });
  req.pipe(upstream);
});

// Websocket upgrades: replay the request head to the backend, then pipe both ways.
balancer.on('upgrade', (req, socket, head) => {
  const port = backendFor(req.socket.remoteAddress);
  const upstream = net.connect(port, '127.0.0.1', () => {
    const lines = [`${req.method} ${req.url} HTTP/${req.httpVersion}`];
    for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    lines.push(`X-Forwarded-For: ${req.socket.remoteAddress}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    upstream.pipe(socket).pipe(upstream);
  });
  upstream.on('error', () => socket.destroy());
  socket.on('error', () => upstream.destroy());
});

balancer.listen(PORT, () => console.log(`Presently cluster: http://localhost:${PORT} -> ${BACKENDS.map((p) => `:${p}`).join(', ')} (Redis ${url})`));

const exited = (child) => (child.exitCode !== null || child.signalCode !== null ? Promise.resolve() : new Promise((resolve) => child.once('exit', resolve)));

// The servers first (each hands its users over for up to GRACE_MS + 1 s, and
// needs Redis meanwhile), then Redis.
async function stop() {
  balancer.close();
  const servers = children.filter((child) => child !== redis);
  for (const child of servers) child.kill('SIGTERM');
  setTimeout(() => process.exit(1), 15_000).unref();
  await Promise.all(servers.map(exited));
  if (redis) {
    redis.kill('SIGTERM');
    await exited(redis);
  }
  process.exit(0);
}
process.once('SIGINT', stop);
process.once('SIGTERM', stop);
