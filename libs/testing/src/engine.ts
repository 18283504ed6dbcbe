import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

/**
 * Raw Engine.IO sessions, as any HTTP client can open them: a handshake
 * that joins no Socket.IO namespace, over long-polling or a websocket.
 * Every request has its own TCP connection (no keep-alive), so a session
 * outlives the request that opened it as it would from a browser.
 */

const ENGINE_QUERY = '/socket.io/?EIO=4';

export interface EngineAnswer {
  status: number;
  body: string;
}

/** An admitted polling handshake's session id, or the refusal's status and body. */
export interface PollingHandshake extends EngineAnswer {
  sid?: string;
}

/** A raw websocket session: admitted (101) or refused (the status), and when the server closed it. */
export interface RawWebSocket {
  status: number;
  /** The refusal's body (Engine.IO's message); empty once admitted. */
  body: string;
  /** Resolves when the connection is closed, by either side. */
  closed: Promise<void>;
  close(): void;
}

const sessions = new Set<() => void>();

function exchange(baseUrl: string, query: string, headers: Record<string, string>, body?: string): Promise<EngineAnswer> {
  const url = new URL(`${ENGINE_QUERY}${query}`, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: body === undefined ? 'GET' : 'POST', agent: false, headers: { ...headers, ...(body !== undefined && { 'content-type': 'text/plain;charset=UTF-8' }) } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * `GET /socket.io/?EIO=4&transport=polling`: a new session, counted against
 * the address from now on. Admitted sessions are closed by
 * {@link closeEngineSessions}.
 */
export async function pollingHandshake(baseUrl: string, headers: Record<string, string> = {}): Promise<PollingHandshake> {
  const answer = await exchange(baseUrl, '&transport=polling', headers);
  const open = /^0(\{.*\})$/.exec(answer.body);
  if (answer.status !== 200 || !open) return answer;
  const sid = (JSON.parse(open[1]) as { sid: string }).sid;
  sessions.add(() => void closePollingSession(baseUrl, sid, headers).catch(() => undefined));
  return { ...answer, sid };
}

/**
 * The next long-poll of a polling session: it answers when the server has
 * something to send, the close packet `1` when the server closed the
 * session, or 400 once the session is unknown.
 */
export function poll(baseUrl: string, sid: string, headers: Record<string, string> = {}): Promise<EngineAnswer> {
  return exchange(baseUrl, `&transport=polling&sid=${encodeURIComponent(sid)}`, headers);
}

/** Resolves once the server closed a polling session (long-polls until the close packet or an unknown sid). */
export async function pollingSessionClosed(baseUrl: string, sid: string, headers: Record<string, string> = {}): Promise<void> {
  for (;;) {
    const answer = await poll(baseUrl, sid, headers);
    // Engine.IO packets in one payload are separated by \x1e; `1` is close.
    if (answer.status !== 200 || answer.body.split('\x1e').includes('1')) return;
  }
}

/** Sends a polling session's close packet, as a client leaving does. */
export async function closePollingSession(baseUrl: string, sid: string, headers: Record<string, string> = {}): Promise<EngineAnswer> {
  return exchange(baseUrl, `&transport=polling&sid=${encodeURIComponent(sid)}`, headers, '1');
}

/**
 * `GET /socket.io/?EIO=4&transport=websocket` upgraded by hand: a websocket
 * session that never joins a namespace. Resolves once upgraded (status 101)
 * or refused (the HTTP status the server answered).
 */
export function rawWebSocket(baseUrl: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
  const url = new URL(`${ENGINE_QUERY}&transport=websocket`, baseUrl);
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      agent: false,
      headers: {
        ...headers,
        connection: 'Upgrade',
        upgrade: 'websocket',
        'sec-websocket-key': randomBytes(16).toString('base64'),
        'sec-websocket-version': '13',
      },
    });
    req.on('upgrade', (_res, socket: Socket, head: Buffer) => {
      socket.on('error', () => undefined);
      // Closed when the server sends a close frame (it then waits for ours before ending TCP) or the TCP connection ends.
      const closed = new Promise<void>((done) => {
        socket.once('close', () => done());
        let frames = head;
        const read = (chunk: Buffer) => {
          frames = Buffer.concat([frames, chunk]);
          for (;;) {
            if (frames.length < 2) return;
            const short = frames[1] & 0x7f;
            const header = short === 126 ? 4 : short === 127 ? 10 : 2;
            if (frames.length < header) return;
            const length = short === 126 ? frames.readUInt16BE(2) : short === 127 ? Number(frames.readBigUInt64BE(2)) : short;
            if (frames.length < header + length) return;
            if ((frames[0] & 0x0f) === 0x8) return done();
            frames = frames.subarray(header + length);
          }
        };
        socket.on('data', read);
        read(Buffer.alloc(0));
      });
      const close = () => socket.destroy();
      sessions.add(close);
      resolve({ status: 101, body: '', closed, close });
    });
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => (text += chunk));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text, closed: Promise.resolve(), close: () => undefined }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Closes every raw session opened through this module. */
export function closeEngineSessions(): void {
  for (const close of sessions) close();
  sessions.clear();
}
