import { TypingSender } from './typing-sender';

describe('TypingSender', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  function sender(options = { renewMs: 3000, stopAfterMs: 4000 }) {
    const sent: boolean[] = [];
    let up = true;
    const typing = new TypingSender((on) => {
      if (!up) return false;
      sent.push(on);
      return true;
    }, options);
    return { typing, sent, setUp: (value: boolean) => (up = value) };
  }

  it('sends typing: true at the first keystroke, and nothing more until the renewal is due', () => {
    const { typing, sent } = sender();
    typing.typed();
    expect(sent).toEqual([true]);
    for (let i = 0; i < 29; i++) {
      jest.advanceTimersByTime(100);
      typing.typed();
    }
    expect(sent).toEqual([true]);
    jest.advanceTimersByTime(100);
    typing.typed();
    expect(sent).toEqual([true, true]);
  });

  it('stops by itself after a pause without a keystroke, counted from the last one', () => {
    const { typing, sent } = sender();
    typing.typed();
    jest.advanceTimersByTime(2000);
    typing.typed();
    jest.advanceTimersByTime(3999);
    expect(sent).toEqual([true]);
    jest.advanceTimersByTime(1);
    expect(sent).toEqual([true, false]);
    expect(jest.getTimerCount()).toBe(0);
    typing.typed();
    expect(sent).toEqual([true, false, true]);
  });

  it('stops on stop(), once; a reset (a leave) sends nothing', () => {
    const { typing, sent } = sender();
    typing.stop();
    expect(sent).toEqual([]);
    typing.typed();
    typing.stop();
    typing.stop();
    expect(sent).toEqual([true, false]);
    typing.typed();
    typing.reset();
    jest.advanceTimersByTime(10_000);
    expect(sent).toEqual([true, false, true]);
    expect(jest.getTimerCount()).toBe(0);
  });

  it('sends with the next keystroke what it could not send, and again at once on a new socket', () => {
    const { typing, sent, setUp } = sender();
    setUp(false);
    typing.typed();
    expect(sent).toEqual([]);
    setUp(true);
    jest.advanceTimersByTime(100);
    typing.typed();
    expect(sent).toEqual([true]);
    typing.newSocket();
    jest.advanceTimersByTime(100);
    typing.typed();
    expect(sent).toEqual([true, true]);
    // Nothing was sent on a socket that never heard of it: no stop either.
    typing.newSocket();
    typing.stop();
    expect(sent).toEqual([true, true]);
  });
});
