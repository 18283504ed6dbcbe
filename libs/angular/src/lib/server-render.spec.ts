import { ApplicationRef, ChangeDetectionStrategy, Component, PLATFORM_ID } from '@angular/core';
import { TestBed } from '@angular/core/testing';
import { createPresenceClient } from '@presently/client';
import { ConnectionStatusComponent } from './connection-status.component';
import { LiveCountComponent } from './live-count.component';
import { OnlineListComponent } from './online-list.component';
import { PRESENCE_CLIENT, providePresently } from './provide-presently';
import { RecentListComponent } from './recent-list.component';

jest.mock('@presently/client', () => {
  const actual = jest.requireActual('@presently/client');
  return { ...actual, createPresenceClient: jest.fn(actual.createPresenceClient) };
});

const created = createPresenceClient as jest.MockedFunction<typeof createPresenceClient>;
const ACTIVITY_EVENTS = ['visibilitychange', 'pointermove', 'pointerdown', 'keydown', 'scroll', 'wheel', 'touchstart', 'focus'];

@Component({
  imports: [LiveCountComponent, OnlineListComponent, RecentListComponent, ConnectionStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <presently-connection-status />
    <presently-live-count page="/blog/a" enter />
    <presently-online-list room="lobby" [profile]="{ name: 'Ada' }" />
    <presently-recent-list room="lobby" />
  `,
})
class Page {}

/** A port nothing listens on, and retries far apart: the client only has to exist. */
const config = { url: 'http://127.0.0.1:9', reconnectDelayMs: 60_000 };

describe('a server-side render', () => {
  const global = globalThis as { ngServerMode?: boolean };
  let listened: jest.SpyInstance;
  let intervals: jest.SpyInstance;

  beforeEach(() => {
    created.mockClear();
    listened = jest.spyOn(document, 'addEventListener');
    intervals = jest.spyOn(globalThis, 'setInterval');
  });
  afterEach(() => {
    TestBed.resetTestingModule();
    listened.mockRestore();
    intervals.mockRestore();
    delete global.ngServerMode;
  });

  const activityListeners = () => listened.mock.calls.map(([type]) => type as string).filter((type) => ACTIVITY_EVENTS.includes(type));

  it('opens no socket, tracks no activity, starts no timer and touches no document; the page renders its empty state and becomes stable', async () => {
    // What the server platform sets, as `@angular/platform-server` does.
    global.ngServerMode = true;
    TestBed.configureTestingModule({ providers: [{ provide: PLATFORM_ID, useValue: 'server' }, providePresently(config)] });
    const fixture = TestBed.createComponent(Page);
    await fixture.whenStable();
    await TestBed.inject(ApplicationRef).whenStable();

    expect(created).toHaveBeenCalledTimes(1);
    expect(created.mock.calls[0][0]).toMatchObject({ autoConnect: false, activity: false, storage: null });
    expect(activityListeners()).toEqual([]);
    expect(intervals).not.toHaveBeenCalled();
    const page = fixture.nativeElement as HTMLElement;
    expect(page.querySelector('presently-connection-status')!.textContent!.trim()).toBe('Connecting…');
    expect(page.querySelector('presently-live-count')!.textContent!.replace(/\s+/g, ' ').trim()).toBe('– reading now');
    expect(page.querySelector('.presently-online-list__empty')!.textContent!.trim()).toBe('Nobody is here yet.');
    expect(page.querySelector('presently-recent-list ul')).toBeNull();
    let state: string | undefined;
    TestBed.inject(PRESENCE_CLIENT)
      .connectionState$.subscribe((s) => (state = s))
      .unsubscribe();
    expect(state).toBe('connecting');
  });

  it('in the browser, connects and follows the page\'s activity (what the render must not do)', async () => {
    TestBed.configureTestingModule({ providers: [providePresently(config)] });
    const fixture = TestBed.createComponent(Page);
    await fixture.whenStable();
    expect(created.mock.calls[0][0]).not.toHaveProperty('autoConnect');
    expect(activityListeners()).toContain('visibilitychange');
    expect(intervals).toHaveBeenCalled();
  });
});
