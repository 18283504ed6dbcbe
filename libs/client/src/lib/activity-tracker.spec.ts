import type { ActivityState } from '@presently/protocol';
import { FakeActivitySource } from '../test/fake-activity-source';
import { documentActivitySource } from './activity-source';
import { ActivityTracker } from './activity-tracker';

const IDLE_MS = 60_000;

describe('ActivityTracker', () => {
  beforeEach(() => jest.useFakeTimers({ doNotFake: ['nextTick', 'queueMicrotask'] }));
  afterEach(() => jest.useRealTimers());

  function track(source = new FakeActivitySource()) {
    const changes: ActivityState[] = [];
    const tracker = new ActivityTracker(source, IDLE_MS, (state) => changes.push(state));
    tracker.start();
    return { source, tracker, changes };
  }

  it('is active, goes idle after the delay without input, and active again at the next input', () => {
    const { source, tracker, changes } = track();
    expect(tracker.state).toBe('active');
    jest.advanceTimersByTime(IDLE_MS - 1);
    expect(changes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(changes).toEqual(['idle']);
    source.input();
    expect(changes).toEqual(['idle', 'active']);
    expect(tracker.state).toBe('active');
  });

  it('goes idle a full delay after the last input, with one timer however busy the page is', () => {
    const { source, changes } = track();
    for (let t = 0; t < 1000; t++) {
      jest.advanceTimersByTime(50);
      source.input();
    }
    expect(jest.getTimerCount()).toBe(1);
    expect(changes).toEqual([]);
    jest.advanceTimersByTime(IDLE_MS - 1);
    expect(changes).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(changes).toEqual(['idle']);
    // Idle: no timer until someone is back.
    expect(jest.getTimerCount()).toBe(0);
  });

  it('is hidden while the page is, with no timer, and active once shown', () => {
    const { source, tracker, changes } = track();
    source.setHidden(true);
    expect(tracker.state).toBe('hidden');
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(IDLE_MS * 3);
    source.input();
    expect(changes).toEqual(['hidden']);
    source.setHidden(false);
    expect(changes).toEqual(['hidden', 'active']);
    jest.advanceTimersByTime(IDLE_MS);
    expect(changes).toEqual(['hidden', 'active', 'idle']);
    source.setHidden(true);
    source.setHidden(false);
    expect(changes).toEqual(['hidden', 'active', 'idle', 'hidden', 'active']);
  });

  it('starts hidden in a hidden page, and reports nothing twice', () => {
    const { source, tracker, changes } = track(new FakeActivitySource(true));
    expect(tracker.state).toBe('hidden');
    expect(changes).toEqual(['hidden']);
    source.setHidden(true);
    expect(changes).toEqual(['hidden']);
  });

  it('stops listening and leaves no timer', () => {
    const { source, tracker, changes } = track();
    expect(source.listening).toBe(2);
    tracker.stop();
    expect(source.listening).toBe(0);
    expect(jest.getTimerCount()).toBe(0);
    jest.advanceTimersByTime(IDLE_MS * 2);
    expect(changes).toEqual([]);
  });
});

describe('documentActivitySource', () => {
  it('is none without a document (Node, a server-side render)', () => {
    expect(documentActivitySource()).toBeNull();
    expect(documentActivitySource(undefined)).toBeNull();
  });

  it('reads the Page Visibility API and listens to input with passive capture listeners, removed on stop', () => {
    const listeners = new Map<string, unknown>();
    const windowListeners = new Map<string, unknown>();
    const fakeWindow = {
      addEventListener: (type: string, _listener: unknown, options: unknown) => windowListeners.set(type, options),
      removeEventListener: (type: string) => windowListeners.delete(type),
    };
    const doc = {
      visibilityState: 'visible',
      defaultView: fakeWindow,
      addEventListener: (type: string, _listener: unknown, options: unknown) => listeners.set(type, options),
      removeEventListener: (type: string) => listeners.delete(type),
    };
    const source = documentActivitySource(doc as unknown as Document)!;
    expect(source.hidden()).toBe(false);
    doc.visibilityState = 'hidden';
    expect(source.hidden()).toBe(true);

    const stopVisibility = source.onVisibilityChange(() => undefined);
    const stopInput = source.onInput(() => undefined);
    expect([...listeners.keys()].sort()).toEqual(['focus', 'keydown', 'pointerdown', 'pointermove', 'scroll', 'touchstart', 'visibilitychange', 'wheel']);
    expect(listeners.get('pointermove')).toEqual({ capture: true, passive: true });
    expect([...windowListeners.keys()]).toEqual(['focus']);
    stopVisibility();
    stopInput();
    expect(listeners.size).toBe(0);
    expect(windowListeners.size).toBe(0);
  });
});
