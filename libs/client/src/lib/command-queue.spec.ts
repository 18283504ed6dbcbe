import { CommandQueue } from './command-queue';
import { PresenceError } from './presence-error';

/** A send whose outcome the test decides; counts its calls. */
function deferred<T>() {
  const calls: Array<{ resolve: (value: T) => void; reject: (error: unknown) => void }> = [];
  const send = () => new Promise<T>((resolve, reject) => calls.push({ resolve, reject }));
  return { send, calls };
}

const disconnected = () => new PresenceError('DISCONNECTED', 'dropped');

describe('CommandQueue', () => {
  it('holds commands until the connection is up, then sends them in call order', async () => {
    const queue = new CommandQueue();
    const order: string[] = [];
    const a = queue.run(async () => order.push('a'));
    const b = queue.run(async () => order.push('b'));
    expect(order).toEqual([]);
    queue.resume();
    await Promise.all([a, b]);
    expect(order).toEqual(['a', 'b']);
  });

  it('sends at once while connected and settles with the outcome', async () => {
    const queue = new CommandQueue();
    queue.resume();
    await expect(queue.run(async () => 42)).resolves.toBe(42);
    const refused = new PresenceError('FORBIDDEN', 'no');
    await expect(queue.run(() => Promise.reject(refused))).rejects.toBe(refused);
  });

  it('sends a repeatable command again after a dropped connection, and ignores the old outcome', async () => {
    const queue = new CommandQueue();
    const { send, calls } = deferred<string>();
    queue.resume();
    const result = queue.run(send);
    expect(calls).toHaveLength(1);
    queue.pause();
    calls[0].reject(disconnected());
    queue.resume();
    expect(calls).toHaveLength(2);
    calls[1].resolve('second');
    await expect(result).resolves.toBe('second');
  });

  it('rejects a command that must not be repeated with DISCONNECTED when the connection drops', async () => {
    const queue = new CommandQueue();
    const { send, calls } = deferred<string>();
    queue.resume();
    const vote = queue.run(send, false);
    queue.pause();
    await expect(vote).rejects.toMatchObject({ code: 'DISCONNECTED' });
    queue.resume();
    expect(calls).toHaveLength(1);
  });

  it('fails every command, now and later, until reset', async () => {
    const queue = new CommandQueue();
    const waiting = queue.run(async () => 'never');
    const error = new PresenceError('UNAUTHORIZED', 'refused');
    queue.fail(error);
    await expect(waiting).rejects.toBe(error);
    await expect(queue.run(async () => 'later')).rejects.toBe(error);
    queue.reset();
    const again = queue.run(async () => 'again');
    queue.resume();
    await expect(again).resolves.toBe('again');
  });
});
