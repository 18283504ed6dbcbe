import { RENEW_BEFORE_MS, RENEW_RETRY_MS, TokenRenewal } from './token-renewal';

const jwt = (expSeconds: number) => `e30.${btoa(JSON.stringify({ sub: 'u_x', exp: expSeconds })).replace(/=+$/, '')}.sig`;

/** A manual clock and timer queue: time moves only when the test says. */
function manualTime() {
  let now = 0;
  const timers = new Map<number, { at: number; run: () => void }>();
  let next = 0;
  return {
    now: () => now,
    setTimer: (run: () => void, ms: number) => {
      timers.set(++next, { at: now + ms, run });
      return next;
    },
    clearTimer: (id: unknown) => void timers.delete(id as number),
    pending: () => timers.size,
    /** Moves to `to`, running every timer due on the way, in order. */
    async advance(to: number) {
      for (;;) {
        const due = [...timers.entries()].filter(([, t]) => t.at <= to).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        timers.delete(due[0]);
        now = due[1].at;
        due[1].run();
        // Let the renewal's promise settle before the next timer.
        await new Promise((resolve) => setImmediate(resolve));
      }
      now = to;
    },
  };
}

describe('token renewal', () => {
  it('fetches a fresh token shortly before the current one expires, and follows the fresh one', async () => {
    const time = manualTime();
    const asked: number[] = [];
    const renewal = new TokenRenewal({ ...time, renew: async () => (asked.push(time.now()), jwt(time.now() / 1000 + 900)) });
    renewal.follow(jwt(900));
    await time.advance(900_000 - RENEW_BEFORE_MS - 1);
    expect(asked).toEqual([]);
    await time.advance(900_000 - RENEW_BEFORE_MS);
    expect(asked).toEqual([900_000 - RENEW_BEFORE_MS]);
    // The fresh token is renewed in its turn.
    await time.advance(2 * (900_000 - RENEW_BEFORE_MS));
    expect(asked).toEqual([900_000 - RENEW_BEFORE_MS, 2 * (900_000 - RENEW_BEFORE_MS)]);
    expect(time.pending()).toBe(1);
  });

  it('tries again every 30 s while the current token is good, then gives up', async () => {
    const time = manualTime();
    let calls = 0;
    const renewal = new TokenRenewal({ ...time, renew: async () => (calls++, null) });
    renewal.follow(jwt(900));
    await time.advance(900_000);
    // At 13 min, then every 30 s while another try can come before the expiry at 15 min.
    expect(calls).toBe(1 + Math.floor((RENEW_BEFORE_MS - 1) / RENEW_RETRY_MS));
    expect(time.pending()).toBe(0);
  });

  it('tries a renewal that threw again too', async () => {
    const time = manualTime();
    let calls = 0;
    const renewal = new TokenRenewal({ ...time, renew: async () => {
      calls++;
      throw new Error('offline');
    } });
    renewal.follow(jwt(900));
    await time.advance(900_000 - RENEW_BEFORE_MS + RENEW_RETRY_MS);
    expect(calls).toBe(2);
  });

  it('stops on signing out, even with a renewal on its way', async () => {
    const time = manualTime();
    let answer: (token: string | null) => void = () => undefined;
    const renewal = new TokenRenewal({ ...time, renew: () => new Promise((resolve) => (answer = resolve)) });
    renewal.follow(jwt(900));
    await time.advance(900_000 - RENEW_BEFORE_MS);
    renewal.stop();
    answer(jwt(1800));
    await new Promise((resolve) => setImmediate(resolve));
    expect(time.pending()).toBe(0);
  });

  it('renews at once a token already within its last minutes, and never one without an expiry', async () => {
    const time = manualTime();
    let calls = 0;
    const renewal = new TokenRenewal({ ...time, renew: async () => (calls++, null) });
    renewal.follow('e30.e30.sig');
    expect(time.pending()).toBe(0);
    renewal.follow(jwt(60));
    await time.advance(0);
    expect(calls).toBe(1);
  });
});
