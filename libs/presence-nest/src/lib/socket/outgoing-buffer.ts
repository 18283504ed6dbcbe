import type { Socket } from 'socket.io';

/** A Socket.IO socket's engine.io connection. */
type EngineSocket = Socket['conn'];

/** What an engine.io packet's `data` may hold. */
type PacketData = string | ArrayBuffer | ArrayBufferView | undefined;

/** The ws WebSocket under engine.io's websocket transport (absent for long-polling). */
interface WsLike {
  bufferedAmount?: unknown;
  terminate?: () => void;
}

const wsOf = (conn: EngineSocket): WsLike | undefined => (conn.transport as unknown as { socket?: WsLike }).socket;

/**
 * The bytes waiting to be sent on an engine.io connection, counted up to
 * just past `cap`: the ws WebSocket's `bufferedAmount` (bytes handed to the
 * TCP socket that it has not written yet; websocket transport only), plus
 * the packets in engine.io's `writeBuffer` (queued while the transport is
 * not writable: a websocket still writing its last batch, a long-polling
 * client that has no request open). Nothing is copied or encoded: a string
 * counts its `length` (what a one-byte V8 string holds; multi-byte text
 * counts less than its UTF-8 size), a buffer its `byteLength`. The walk stops
 * once past `cap`, so a huge queue costs no more than a bounded one.
 */
export function outgoingBytes(conn: EngineSocket, cap: number): number {
  const buffered = wsOf(conn)?.bufferedAmount;
  let bytes = typeof buffered === 'number' ? buffered : 0;
  // `writeBuffer` is engine.io's own (untyped as private), read in place.
  for (const packet of (conn as unknown as { writeBuffer: { data?: PacketData }[] }).writeBuffer) {
    if (bytes > cap) break;
    bytes += sizeOf(packet.data);
  }
  return bytes;
}

function sizeOf(data: PacketData): number {
  if (typeof data === 'string') return data.length;
  return data?.byteLength ?? 0;
}

/**
 * Closes an engine.io connection at once, whatever waits in its buffers: the
 * engine socket closes without waiting for its queue to drain (a reader that
 * does not read would never drain it), and the websocket's TCP socket is
 * destroyed rather than sent a close frame that would queue behind the data.
 */
export function closeNow(conn: EngineSocket): void {
  const ws = wsOf(conn);
  conn.close(true);
  if (typeof ws?.terminate === 'function') ws.terminate();
}
