// The Presently protocol, checked with a plain socket.io-client as any third
// party would: two visitors enter a page (counts), join a room (members),
// then leave both. Usage: node protocol-check.mjs <server url>
// Writes one JSON line per step, {"step":…,…}, as it passes it; a step that
// never completes leaves the last line written as the place it stopped.
import { randomUUID } from 'node:crypto';
import { io } from 'socket.io-client';

const url = process.argv[2];
const tag = randomUUID().slice(0, 8);
const report = (step, details) => process.stdout.write(`${JSON.stringify({ step, ...details })}\n`);

/** A visitor: its socket, once the server has sent its session. */
function visitor(clientId) {
  return new Promise((resolve, reject) => {
    const socket = io(`${url}/presence`, { auth: { clientId }, transports: ['websocket'], reconnection: false });
    socket.once('session', (session) => resolve({ socket, session }));
    socket.once('connect_error', reject);
  });
}

/** The next `event` on `socket` that passes `test`. */
function next(socket, event, test) {
  return new Promise((resolve) => {
    const listener = (payload) => {
      if (!test(payload)) return;
      socket.off(event, listener);
      resolve(payload);
    };
    socket.on(event, listener);
  });
}

const ada = await visitor(`consumer-ada-${tag}`);
const grace = await visitor(`consumer-grace-${tag}`);
report('session', { users: [ada.session.userId, grace.session.userId] });

const page = `/consumers/${tag}`;
report('enter', { ack: await ada.socket.emitWithAck('page:enter', { page }) });
const risen = next(ada.socket, 'page:count', (counts) => counts.page === page && counts.viewers === 2);
report('enter-second', { ack: await grace.socket.emitWithAck('page:enter', { page }) });
report('count', { counts: await risen });

const room = `consumers-${tag}`;
const joinAda = await ada.socket.emitWithAck('room:join', { room, profile: { name: 'Ada' } });
report('join', { ok: joinAda.ok, self: joinAda.self?.name, members: joinAda.members?.map((m) => m.name) });
const joined = next(ada.socket, 'room:joined', (event) => event.room === room);
const joinGrace = await grace.socket.emitWithAck('room:join', { room, profile: { name: 'Grace', status: 'away' } });
report('join-second', { ok: joinGrace.ok, members: joinGrace.members?.map((m) => m.name).sort(), total: joinGrace.total });
const { member } = await joined;
report('joined', { name: member.name, status: member.status, userId: member.userId });

const left = next(ada.socket, 'room:left', (event) => event.room === room);
report('leave', { ack: await grace.socket.emitWithAck('room:leave', { room }) });
const { userId, reason } = await left;
report('left', { userId, reason });

const fallen = next(ada.socket, 'page:count', (counts) => counts.page === page && counts.viewers === 1);
report('page-leave', { ack: await grace.socket.emitWithAck('page:leave', { page }) });
report('count-after-leave', { counts: await fallen });

ada.socket.disconnect();
grace.socket.disconnect();
report('done', {});
