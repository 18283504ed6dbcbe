import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { until } from './helpers';
import { freePort, REDIS_SERVER, untilAnswers } from './redis';

export const REDIS_SENTINEL = process.env.REDIS_SENTINEL || '/usr/bin/redis-sentinel';

/** The master group the Sentinels of {@link startSentinelGroup} watch. */
export const SENTINEL_GROUP = 'presently';

export interface SentinelAddress {
  host: string;
  port: number;
}

export interface RunningSentinelGroup {
  /** The Sentinels, `host:port` each. */
  readonly sentinels: SentinelAddress[];
  /** The server environment that reaches the group: `REDIS_SENTINELS` and `REDIS_SENTINEL_NAME`. */
  readonly env: { REDIS_SENTINELS: string; REDIS_SENTINEL_NAME: string };
  /** The master's address as the Sentinels tell it now. */
  master(): Promise<SentinelAddress>;
  /**
   * Cuts the replica off the master's writes (the master refuses its
   * resynchronisation) and resolves once the replica has noticed: whatever is
   * written from then on is lost when the replica is promoted, as the last
   * writes before a real failover may be.
   */
  stopReplication(): Promise<void>;
  /**
   * Kills the current master (`SIGKILL`: nothing flushed, no goodbye) and
   * resolves once a Sentinel announces the replica's promotion
   * (`+switch-master`), with the new master's address.
   */
  killMaster(timeoutMs?: number): Promise<SentinelAddress>;
  /** Stops every process and removes the folder (afterAll). */
  dispose(): Promise<void>;
}

interface Child {
  port: number;
  process: ChildProcess;
  exited: Promise<void>;
}

function run(binary: string, args: string[], port: number): Child {
  const proc = spawn(binary, args, { stdio: 'ignore' });
  return { port, process: proc, exited: new Promise((resolve) => proc.once('exit', () => resolve())) };
}

const sameAddress = (a: SentinelAddress, b: SentinelAddress) => a.host === b.host && a.port === b.port;

/**
 * Starts a Redis master, one replica and three Sentinels (quorum 2, a master
 * silent for 1 s is down, failovers time out after 2 s) on free loopback
 * ports in a temporary folder, without persistence, and resolves once the
 * replica is in sync and every Sentinel knows the replica and the other two.
 *
 * @example
 * const group = await startSentinelGroup();
 * const server = await startServer({ ...group.env });
 * const promoted = await group.killMaster();
 */
export async function startSentinelGroup(): Promise<RunningSentinelGroup> {
  const dir = mkdtempSync(join(tmpdir(), 'presently-sentinel-'));
  const redisArgs = (port: number, name: string) => [
    '--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir,
    '--dbfilename', `${name}.rdb`, '--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0',
  ];
  const servers: Child[] = [];
  const sentinels: Child[] = [];
  const clients: Redis[] = [];
  let replica: Redis | undefined;
  let primary: Redis | undefined;
  const dispose = async () => {
    // QUIT waits for the server's answer, so no socket outlives the run; a client without a link is simply dropped.
    await Promise.all(clients.map((c) => (c.status === 'ready' ? c.quit().catch(() => c.disconnect()) : c.disconnect())));
    for (const child of [...sentinels, ...servers]) {
      if (child.process.exitCode === null && child.process.signalCode === null) child.process.kill('SIGTERM');
    }
    await Promise.all([...sentinels, ...servers].map((child) => child.exited));
    rmSync(dir, { recursive: true, force: true });
  };
  const client = (port: number) => {
    const redis = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
    redis.on('error', () => undefined);
    clients.push(redis);
    return redis;
  };
  try {
    const masterPort = await freePort();
    servers.push(run(REDIS_SERVER, redisArgs(masterPort, 'master'), masterPort));
    await untilAnswers(masterPort);
    const replicaPort = await freePort();
    servers.push(run(REDIS_SERVER, [...redisArgs(replicaPort, 'replica'), '--replicaof', '127.0.0.1', String(masterPort)], replicaPort));
    await untilAnswers(replicaPort);
    replica = client(replicaPort);
    primary = client(masterPort);
    await until(async () => /master_link_status:up/.test((await replica?.info('replication')) ?? ''), 'the replica is in sync', 20_000);

    for (let i = 0; i < 3; i += 1) {
      const port = await freePort();
      const conf = join(dir, `sentinel-${i}.conf`);
      writeFileSync(
        conf,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${SENTINEL_GROUP} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${SENTINEL_GROUP} 1000`,
          `sentinel failover-timeout ${SENTINEL_GROUP} 2000`,
          `sentinel parallel-syncs ${SENTINEL_GROUP} 1`,
          '',
        ].join('\n'),
      );
      sentinels.push(run(REDIS_SENTINEL, [conf], port));
    }
    for (const sentinel of sentinels) {
      await untilAnswers(sentinel.port);
      const ask = client(sentinel.port);
      await until(
        async () =>
          ((await ask.call('SENTINEL', 'REPLICAS', SENTINEL_GROUP)) as unknown[]).length === 1 &&
          ((await ask.call('SENTINEL', 'SENTINELS', SENTINEL_GROUP)) as unknown[]).length === 2,
        `sentinel on port ${sentinel.port} knows the replica and the other sentinels`,
        30_000,
      );
    }
  } catch (error) {
    await dispose();
    throw error;
  }

  const addresses = sentinels.map(({ port }) => ({ host: '127.0.0.1', port }));
  const asked = client(sentinels[0].port);
  const master = async (): Promise<SentinelAddress> => {
    const [host, port] = (await asked.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', SENTINEL_GROUP)) as [string, string];
    return { host, port: Number(port) };
  };
  return {
    sentinels: addresses,
    env: { REDIS_SENTINELS: addresses.map(({ host, port }) => `${host}:${port}`).join(','), REDIS_SENTINEL_NAME: SENTINEL_GROUP },
    master,
    stopReplication: async () => {
      if (!primary || !replica) throw new Error('the group is not running');
      await primary.call('ACL', 'SETUSER', 'default', '-psync', '-sync');
      await primary.call('CLIENT', 'KILL', 'TYPE', 'replica');
      const linked = replica;
      await until(async () => /master_link_status:down/.test(await linked.info('replication')), 'the replica has lost its master');
    },
    killMaster: async (timeoutMs = 30_000) => {
      const old = await master();
      const victim = servers.find((child) => child.port === old.port);
      if (!victim) throw new Error(`the master ${old.host}:${old.port} is none of the group's servers`);
      // Listen on every Sentinel before the kill: the first to announce the switch is enough.
      const listeners = addresses.map(({ port }) => client(port));
      const switched = new Promise<SentinelAddress>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no +switch-master within ${timeoutMs} ms`)), timeoutMs);
        for (const listener of listeners) {
          listener.on('message', (_channel: string, message: string) => {
            // `<name> <old ip> <old port> <new ip> <new port>`
            const [name, , , host, port] = message.split(' ');
            if (name !== SENTINEL_GROUP) return;
            clearTimeout(timer);
            resolve({ host, port: Number(port) });
          });
        }
      });
      await Promise.all(listeners.map((listener) => listener.subscribe('+switch-master')));
      victim.process.kill('SIGKILL');
      await victim.exited;
      const promoted = await switched;
      await Promise.all(listeners.map((listener) => listener.quit().catch(() => listener.disconnect())));
      if (sameAddress(promoted, old)) throw new Error('the Sentinels switched to the killed master');
      return promoted;
    },
    dispose,
  };
}
