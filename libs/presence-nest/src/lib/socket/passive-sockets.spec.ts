import type { INestApplication } from '@nestjs/common';
import { ManualClock } from '@presently/presence-core/testing';
import { clientId, closeAll, connect, counts, record, request, until } from '@presently/testing';
import { startInProcessApp } from '../../testing/in-process-app';
import { Figures, type CaughtUp } from '../figures/figures';

/**
 * Passive sockets in-process, with real sockets and a manual clock (no
 * announcement goes out unless a test moves it): what a socket that listens
 * again is caught up with.
 */
describe('PassiveSockets (in-process)', () => {
  let app: INestApplication;
  let url: string;
  const clock = new ManualClock();

  beforeAll(async () => {
    ({ app, url } = await startInProcessApp({ clock }));
  });

  afterEach(() => {
    jest.restoreAllMocks();
    closeAll();
  });

  afterAll(async () => {
    await app?.close();
  });

  it('sends a catch-up still being read when the socket reports again without going hidden', async () => {
    const page = '/passive/reported-again';
    const { socket: hidden } = await connect(url, { clientId: clientId('passive') });
    await request(hidden, 'page:enter', { page });
    expect(await request(hidden, 'presence:activity', { state: 'hidden' })).toEqual({ ok: true, state: 'hidden' });
    const { socket: other } = await connect(url, { clientId: clientId('passive-other') });
    await request(other, 'page:enter', { page });

    // As in a cluster, the catch-up's figures come back later (a read).
    const figures = app.get(Figures);
    const original = figures.caughtUp.bind(figures);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const read = jest.spyOn(figures, 'caughtUp').mockImplementationOnce((asker, followed) => {
      const current = original(asker, followed);
      return gate.then((): CaughtUp | Promise<CaughtUp> => current);
    });
    const heard = record(hidden, 'page:count');
    const back = request(hidden, 'presence:activity', { state: 'active' });
    await until(() => read.mock.calls.length === 1, 'the catch-up is being read');
    // Another report while it is read: the socket still listens, and is owed the catch-up.
    expect(await request(hidden, 'presence:activity', { state: 'idle' })).toEqual({ ok: true, state: 'idle' });
    release();
    expect(await back).toEqual({ ok: true, state: 'active' });
    expect(heard).toEqual([counts(page, 2, 2, 2)]);
  });

  it('acks an activity change once the figures have it (in a cluster, once Redis has it)', async () => {
    const page = '/passive/applied';
    const { socket } = await connect(url, { clientId: clientId('applied') });
    await request(socket, 'page:enter', { page });
    const figures = app.get(Figures);
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const settled = jest.spyOn(figures, 'settled').mockImplementationOnce(() => gate);
    let acked = false;
    const idle = request(socket, 'presence:activity', { state: 'idle' }).then((answer) => {
      acked = true;
      return answer;
    });
    await until(() => settled.mock.calls.length === 1, 'the change is being applied');
    // A later request of the same socket is answered: the activity was handled, its ack still waits.
    expect(await request(socket, 'page:watch', { pages: [page] })).toMatchObject({ ok: true });
    expect(acked).toBe(false);
    release();
    expect(await idle).toEqual({ ok: true, state: 'idle' });
  });
});
