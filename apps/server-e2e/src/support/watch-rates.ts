/** What the delivery-rate specs (one process and a cluster) share: their windows, the stats' shape, and a watcher's sockets. */
import { connect, record, request, until, type PageCounts, type TestSocket } from '@presently/testing';

/** A window never waited out: "nothing during it" is proven by a later event. */
export const LONG = 60_000;
/** A window whose end is waited for. */
export const SHORT = 2000;

export type Stats = { online: { connections: number; visitors: number }; top: Array<{ page: string; viewers: number }> };

/** A socket that watches `page` (at `every`, if given), its page:counts recorded from before the watch. */
export async function watcher(url: string, page: string, every?: number): Promise<{ socket: TestSocket; heard: PageCounts[] }> {
  const { socket } = await connect(url);
  const heard = record<PageCounts>(socket, 'page:count');
  const ack = await request(socket, 'page:watch', every === undefined ? { pages: [page] } : { pages: [page], every });
  expect(ack).toEqual({ ok: true, counts: [expect.objectContaining({ page })] });
  return { socket, heard };
}

/** A new socket entering `page`. */
export async function enter(url: string, page: string): Promise<TestSocket> {
  const { socket } = await connect(url);
  expect(await request(socket, 'page:enter', { page })).toMatchObject({ ok: true, page });
  return socket;
}

/** Resolves once `heard` (a socket's recorded page:counts) holds `n` viewers and connections (it may have already). */
export function heardBy(heard: PageCounts[], page: string, n: number, timeoutMs = 10_000): Promise<void> {
  return until(() => heard.some((c) => c.page === page && c.viewers === n && c.connections === n), `page:count ${n} on ${page} (heard ${JSON.stringify(heard)})`, timeoutMs);
}
