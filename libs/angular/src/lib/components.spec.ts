import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProfileInput } from '@presently/protocol';
import { FakePresenceClient, member } from '../testing/fake-presence-client';
import { ConnectionStatusComponent } from './connection-status.component';
import { LiveCountComponent } from './live-count.component';
import { OnlineListComponent } from './online-list.component';
import { PRESENCE_CLIENT } from './provide-presently';

@Component({
  imports: [LiveCountComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    @if (showPost()) {
      <presently-live-count data-testid="post" [page]="page()" enter />
    }
    @if (showSecond()) {
      <presently-live-count data-testid="second" [page]="page()" enter label="here" />
    }
    <presently-live-count data-testid="index" page="/other" label="reading" />
  `,
})
class CountsHost {
  readonly page = signal('/blog/a');
  readonly showPost = signal(true);
  readonly showSecond = signal(false);
}

@Component({
  imports: [OnlineListComponent, ConnectionStatusComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <presently-connection-status />
    @if (shown()) {
      <presently-online-list [room]="room()" [profile]="profile()" [join]="join()" />
    }
  `,
})
class RoomHost {
  readonly room = signal('lobby');
  readonly profile = signal<ProfileInput | undefined>({ name: 'Ada', status: 'online' });
  readonly join = signal(true);
  readonly shown = signal(true);
}

describe('Angular bindings', () => {
  let client: FakePresenceClient;

  beforeEach(() => {
    client = new FakePresenceClient();
    TestBed.configureTestingModule({ providers: [{ provide: PRESENCE_CLIENT, useValue: client }] });
  });

  async function render<T>(type: new () => T): Promise<ComponentFixture<T>> {
    const fixture = TestBed.createComponent(type);
    await fixture.whenStable();
    return fixture;
  }

  const text = (fixture: ComponentFixture<unknown>, selector: string) =>
    (fixture.nativeElement as HTMLElement).querySelector(selector)?.textContent?.replace(/\s+/g, ' ').trim();

  /** The text a count shows on screen (its hidden announcement aside). */
  const shown = (fixture: ComponentFixture<unknown>, selector: string) => {
    const copy = (fixture.nativeElement as HTMLElement).querySelector(selector)?.cloneNode(true) as HTMLElement | undefined;
    copy?.querySelectorAll('presently-announce').forEach((announcer) => announcer.remove());
    return copy?.textContent?.replace(/\s+/g, ' ').trim();
  };

  describe('<presently-live-count>', () => {
    it('shows the live viewer count and follows every change', async () => {
      const fixture = await render(CountsHost);
      expect(shown(fixture, '[data-testid=post]')).toBe('0 reading now');
      client.setCount('/blog/a', 12);
      await fixture.whenStable();
      expect(shown(fixture, '[data-testid=post]')).toBe('12 reading now');
      client.setCount('/blog/a', 11);
      client.setCount('/other', 4);
      await fixture.whenStable();
      expect(shown(fixture, '[data-testid=post]')).toBe('11 reading now');
      expect(shown(fixture, '[data-testid=index]')).toBe('4 reading');
      const host = (fixture.nativeElement as HTMLElement).querySelector('[data-testid=post]')!;
      expect(host.querySelector('presently-announce')?.getAttribute('aria-live')).toBe('polite');
      expect(host.getAttribute('data-viewers')).toBe('11');
    });

    it('enters the page once for every component that asks, and leaves after the last one goes', async () => {
      const fixture = await render(CountsHost);
      expect(client.calls).toEqual(['enter /blog/a']);
      fixture.componentInstance.showSecond.set(true);
      await fixture.whenStable();
      expect(client.calls).toEqual(['enter /blog/a']);
      fixture.componentInstance.showPost.set(false);
      await fixture.whenStable();
      expect(client.calls).toEqual(['enter /blog/a']);
      fixture.componentInstance.showSecond.set(false);
      await fixture.whenStable();
      expect(client.calls).toEqual(['enter /blog/a', 'leave /blog/a']);
    });

    it('moves to a new page when its input changes, and watches nothing once destroyed', async () => {
      const fixture = await render(CountsHost);
      fixture.componentInstance.page.set('/blog/b');
      await fixture.whenStable();
      expect(client.calls).toEqual(['enter /blog/a', 'leave /blog/a', 'enter /blog/b']);
      expect(client.watchers.get('/blog/a')).toBe(0);
      expect(client.watchers.get('/blog/b')).toBe(1);
      fixture.destroy();
      expect([...client.watchers.values()].every((n) => n === 0)).toBe(true);
      expect(client.calls.at(-1)).toBe('leave /blog/b');
    });

    it('watches without entering when `enter` is not set', async () => {
      await render(CountsHost);
      expect(client.calls.some((call) => call.includes('/other'))).toBe(false);
      expect(client.watchers.get('/other')).toBe(1);
    });

    it('marks itself offline while the connection is not up', async () => {
      const fixture = await render(CountsHost);
      const host = (fixture.nativeElement as HTMLElement).querySelector('[data-testid=post]')!;
      expect(host.classList).toContain('presently-live-count--offline');
      client.state.next('connected');
      await fixture.whenStable();
      expect(host.classList).not.toContain('presently-live-count--offline');
    });
  });

  describe('<presently-online-list>', () => {
    const names = (fixture: ComponentFixture<unknown>) =>
      Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('.presently-online-list__member'), (li) => [
        li.querySelector('.presently-online-list__name')?.textContent?.trim(),
        li.getAttribute('data-status'),
      ]);

    it('joins with the profile and lists the members with their status', async () => {
      const fixture = await render(RoomHost);
      expect(client.calls).toEqual(['join lobby {"name":"Ada","status":"online"}']);
      expect(names(fixture)).toEqual([['Ada', 'online']]);
      client.room('lobby').membersSubject.next([member('me', 'online', 'Ada'), member('bob', 'busy', 'Bob'), member('cy', 'away', 'Cy')]);
      await fixture.whenStable();
      expect(names(fixture)).toEqual([
        ['Ada', 'online'],
        ['Bob', 'busy'],
        ['Cy', 'away'],
      ]);
      const dots = (fixture.nativeElement as HTMLElement).querySelectorAll('.presently-online-list__dot');
      expect(Array.from(dots, (d) => d.getAttribute('data-status'))).toEqual(['online', 'busy', 'away']);
    });

    it('marks this browser\'s own entry by the userId of its session, never by its clientId', async () => {
      const fixture = await render(RoomHost);
      const marked = () =>
        Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('.presently-online-list__member[data-self]'), (li) => li.getAttribute('data-user'));
      client.room('lobby').membersSubject.next([member('a_AAAAAAAAAAAAAAAAAAAAAA', 'online', 'Ada'), member('browser-1', 'busy', 'Bob')]);
      await fixture.whenStable();
      expect(marked()).toEqual([]);
      client.sessions.next({ clientId: 'browser-1', userId: 'a_AAAAAAAAAAAAAAAAAAAAAA', name: null, roles: [], serverTime: 0 });
      await fixture.whenStable();
      expect(marked()).toEqual(['a_AAAAAAAAAAAAAAAAAAAAAA']);
      expect(text(fixture, '.presently-online-list__self')).toBe('(you)');
    });

    it('applies a profile change as an update, not a new join', async () => {
      const fixture = await render(RoomHost);
      fixture.componentInstance.profile.set({ name: 'Ada', status: 'away' });
      await fixture.whenStable();
      expect(client.calls).toEqual(['join lobby {"name":"Ada","status":"online"}', 'update lobby {"name":"Ada","status":"away"}']);
    });

    it('leaves the room when destroyed, and says so when nobody is there', async () => {
      const fixture = await render(RoomHost);
      fixture.componentInstance.shown.set(false);
      await fixture.whenStable();
      expect(client.calls.at(-1)).toBe('leave lobby');
      fixture.componentInstance.join.set(false);
      fixture.componentInstance.shown.set(true);
      await fixture.whenStable();
      expect(client.calls.filter((call) => call.startsWith('join'))).toHaveLength(1);
      expect(text(fixture, '.presently-online-list__empty')).toBe('Nobody is here yet.');
    });
  });

  describe('<presently-connection-status>', () => {
    it.each([
      ['connecting', 'Connecting…'],
      ['connected', 'Live'],
      ['reconnecting', 'Reconnecting…'],
      ['offline', 'Offline'],
    ] as const)('shows %s as "%s"', async (state, label) => {
      const fixture = await render(RoomHost);
      client.state.next(state);
      await fixture.whenStable();
      expect(text(fixture, 'presently-connection-status')).toBe(label);
      expect((fixture.nativeElement as HTMLElement).querySelector('presently-connection-status')!.getAttribute('data-state')).toBe(state);
    });
  });
});

describe('providePresently', () => {
  it('provides one client for the application and closes it with the application', async () => {
    const { providePresently } = await import('./provide-presently');
    const { firstValueFrom, filter } = await import('rxjs');
    // A port nothing listens on: the client only has to exist and be closed.
    TestBed.configureTestingModule({
      providers: [providePresently({ url: 'http://127.0.0.1:9', storage: null, reconnectDelayMs: 60_000 })],
    });
    const client = TestBed.inject(PRESENCE_CLIENT);
    expect(TestBed.inject(PRESENCE_CLIENT)).toBe(client);
    const offline = firstValueFrom(client.connectionState$.pipe(filter((state) => state === 'offline')));
    TestBed.resetTestingModule();
    await expect(offline).resolves.toBe('offline');
  });
});
