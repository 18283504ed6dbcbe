import type { Member, PageCounts } from '@presently/protocol';
import { get, key, seededRandom, startHaproxy, startTcpProxy, until, useCluster, useServer, type RunningHaproxy, type RunningRedis, type TcpProxy } from '@presently/testing';
import type { Subscription } from 'rxjs';
import type { Client } from '../lib/presence-client';
import { closeClients, connected, openClient } from '../test/support';

/**
 * Repeated connection drops with the real client: 200 clients of the
 * library on 20 pages and 5 rooms, entering, moving, joining and updating
 * their status throughout, behind a proxy that drops every connection every
 * 2 s for 30 s (in one process, and in two behind the repository's HAProxy
 * configuration, where a client may come back on the other process). Once
 * every client is back and restored, each holds the true
 * count of every page it follows and the true member list of its room, no
 * command was lost, and the server holds no ghost after the grace period.
 */
const CLIENTS = 200;
const PAGES = 20;
const ROOMS = 5;
const DROPS = 15;
const DROP_EVERY_MS = 2000;
const GRACE_MS = 1000;
const SETTLE_MS = 90_000;

const ENV = {
  GRACE_MS: String(GRACE_MS),
  COUNT_INTERVAL_MS: '100',
  // Every client comes from 127.0.0.1: 200 sockets and their held places.
  MAX_CONNECTIONS_PER_IP: '0',
};

/** One client and what it meant to do: where it is, what it follows, its status. */
interface Visitor {
  client: Client;
  name: string;
  userId: string;
  page: string;
  room: string;
  status: string;
  /** Latest counts of every page (each client follows all of them). */
  counts: Map<string, PageCounts>;
  members: readonly Member[];
  subscriptions: Subscription[];
  roster: Subscription | null;
  failures: unknown[];
}

interface Traffic {
  pages: string[];
  rooms: string[];
  visitors: Visitor[];
}

async function openVisitors(urls: string[]): Promise<Traffic> {
  const pages = Array.from({ length: PAGES }, (_, i) => key(`/drops/${i}`));
  const rooms = Array.from({ length: ROOMS }, (_, i) => key(`drops-${i}`));
  const visitors = await Promise.all(
    Array.from({ length: CLIENTS }, async (_, i): Promise<Visitor> => {
      const { client } = openClient({ url: urls[i % urls.length], reconnectDelayMs: 50, reconnectDelayMaxMs: 500 });
      const page = pages[i % PAGES];
      const room = rooms[i % ROOMS];
      const name = `c${i}`;
      const visitor: Visitor = {
        client,
        name,
        userId: '',
        page,
        room,
        status: 's0',
        counts: new Map(),
        members: [],
        subscriptions: [],
        roster: null,
        failures: [],
      };
      for (const followed of pages) {
        visitor.subscriptions.push(client.pageCount$(followed).subscribe((counts) => visitor.counts.set(followed, counts)));
      }
      await client.enterPage(page);
      const joined = await client.join(room, { name, status: 's0' });
      visitor.userId = joined.self.userId;
      watchRoom(visitor);
      return visitor;
    }),
  );
  return { pages, rooms, visitors };
}

/** Follows the member list of the visitor's current room. */
function watchRoom(visitor: Visitor): void {
  visitor.roster?.unsubscribe();
  visitor.roster = visitor.client.room(visitor.room).members$.subscribe((members) => (visitor.members = members));
}

/** One visitor's traffic until `stopped()`: status updates, page moves, room moves, each awaited in turn. */
async function act(visitor: Visitor, traffic: Traffic, random: () => number, stopped: () => boolean): Promise<void> {
  let step = 0;
  while (!stopped()) {
    await new Promise((resolve) => setTimeout(resolve, 200 + random() * 800));
    if (stopped()) break;
    const roll = random();
    step += 1;
    try {
      if (roll < 0.6) {
        visitor.status = `s${step}`;
        await visitor.client.updateProfile(visitor.room, { status: visitor.status });
      } else if (roll < 0.85) {
        const next = traffic.pages[Math.floor(random() * PAGES)];
        if (next === visitor.page) continue;
        const previous = visitor.page;
        visitor.page = next;
        await Promise.all([visitor.client.leavePage(previous), visitor.client.enterPage(next)]);
      } else {
        const next = traffic.rooms[Math.floor(random() * ROOMS)];
        if (next === visitor.room) continue;
        const previous = visitor.room;
        visitor.room = next;
        await visitor.client.leave(previous);
        await visitor.client.join(next, { name: visitor.name, status: visitor.status });
        watchRoom(visitor);
      }
    } catch (error) {
      visitor.failures.push(error);
    }
  }
}

const entry = (m: Pick<Member, 'userId' | 'name' | 'status'>) => `${m.userId}:${m.name}:${m.status}`;

async function runDrops(proxies: TcpProxy[], urls: string[], seed: number): Promise<void> {
  const random = seededRandom(seed);
  const traffic = await openVisitors(proxies.map((proxy) => `http://127.0.0.1:${proxy.port}`));
  const { visitors, pages, rooms } = traffic;
  let stop = false;
  const acting = visitors.map((visitor) => act(visitor, traffic, random, () => stop));

  const open = () => proxies.reduce((sum, proxy) => sum + proxy.open, 0);
  for (let drop = 0; drop < DROPS; drop++) {
    await new Promise((resolve) => setTimeout(resolve, DROP_EVERY_MS));
    // Every drop cuts real traffic: at least half the clients are back on
    // the link first (a loaded machine reconnects them slowly); the others
    // may still be on their way, and are cut mid-reconnection.
    await until(() => open() >= CLIENTS / 2, `half the clients back on the link before drop ${drop + 1}`, SETTLE_MS);
    for (const proxy of proxies) proxy.drop();
    if (drop === DROPS - 1) stop = true;
  }
  await Promise.all(acting);
  await Promise.all(visitors.map((visitor) => connected(visitor.client, SETTLE_MS)));
  expect(visitors.flatMap((visitor) => visitor.failures)).toEqual([]);

  // The truth, from what every client last asked for.
  const truth = new Map(pages.map((page) => [page, visitors.filter((v) => v.page === page).length]));
  const rosters = new Map(rooms.map((room) => [room, visitors.filter((v) => v.room === room).map(entry).sort()]));

  // The server: every held place of a dropped connection has been taken over or has ended.
  const serverWrong = async () => {
    const found: string[] = [];
    for (const url of urls) {
      for (const [page, viewers] of truth) {
        const { body } = await get(url, `/api/pages/count?page=${encodeURIComponent(page)}`);
        if (body.viewers !== viewers || body.connections !== viewers) found.push(`${url} ${page}: ${body.viewers}/${body.connections}, truly ${viewers}`);
      }
      for (const [room, expected] of rosters) {
        const { body } = await get(url, `/api/rooms/members?room=${encodeURIComponent(room)}`);
        const listed: string[] = body.members.map(entry).sort();
        if (JSON.stringify(listed) !== JSON.stringify(expected)) {
          found.push(`${url} ${room}: extra ${listed.filter((e) => !expected.includes(e)).join(' ')}; missing ${expected.filter((e) => !listed.includes(e)).join(' ')}`);
        }
      }
    }
    return found;
  };
  await until(async () => (await serverWrong()).length === 0, 'the server holds the true counts and member lists', SETTLE_MS).catch(async () => {
    throw new Error(`the server holds wrong figures: ${(await serverWrong()).slice(0, 20).join('; ')}`);
  });

  // Every client: the true count of every page it follows, the true list of its room.
  const wrong = () =>
    visitors.flatMap((visitor) => [
      ...[...truth].filter(([page, viewers]) => visitor.counts.get(page)?.viewers !== viewers).map(([page]) => `${visitor.name} ${page}`),
      ...(JSON.stringify(visitor.members.map(entry).sort()) === JSON.stringify(rosters.get(visitor.room)) ? [] : [`${visitor.name} ${visitor.room}`]),
    ]);
  await until(() => wrong().length === 0, 'every client holds the true figures', SETTLE_MS).catch(() => {
    const first = visitors.find((visitor) => JSON.stringify(visitor.members.map(entry).sort()) !== JSON.stringify(rosters.get(visitor.room)));
    const held = first ? first.members.map(entry) : [];
    const meant = first ? (rosters.get(first.room) ?? []) : [];
    const diff = first ? `; ${first.name} holds ${held.filter((e) => !meant.includes(e)).join(' ')} for ${meant.filter((e) => !held.includes(e)).join(' ')}` : '';
    throw new Error(`clients holding wrong figures: ${wrong().slice(0, 20).join(', ')} (${wrong().length} in all)${diff}`);
  });
  for (const visitor of visitors) for (const subscription of [...visitor.subscriptions, visitor.roster]) subscription?.unsubscribe();
}

describe('repeated connection drops, one process', () => {
  const server = useServer(ENV);
  let proxy: TcpProxy;
  beforeAll(async () => {
    const port = Number(new URL(server.url).port);
    proxy = await startTcpProxy({ host: '127.0.0.1', port });
  });
  afterAll(() => proxy.close());
  afterEach(() => closeClients());

  it('leaves every client with the true counts and member lists, and the server with no ghost', async () => {
    await runDrops([proxy], [server.url], 17);
  }, 600_000);
});

describe('repeated connection drops, two processes behind HAProxy', () => {
  const cluster = useCluster(2, (redis: RunningRedis) => ({ ...ENV, REDIS_URL: redis.url, TRUST_PROXY: '1' }));
  let balancer: RunningHaproxy;
  let proxy: TcpProxy;
  beforeAll(async () => {
    // Clients → the dropping link → the repository's HAProxy configuration → either process:
    // a client may come back on the other process than the one that holds its places.
    balancer = await startHaproxy(cluster.servers);
    proxy = await startTcpProxy({ host: '127.0.0.1', port: balancer.port });
  });
  afterAll(async () => {
    await proxy.close();
    await balancer.stop();
  });
  afterEach(() => closeClients());

  it('leaves every client with the true cluster-wide counts and member lists, and no ghost on either process', async () => {
    await runDrops(
      [proxy],
      cluster.servers.map((server) => server.url),
      29,
    );
  }, 600_000);
});
