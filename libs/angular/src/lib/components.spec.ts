import { ChangeDetectionStrategy, Component, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import type { ProfileInput } from '@presently/protocol';
import type { Member } from '@presently/protocol';
import { FakePresenceClient, leaver, member } from '../testing/fake-presence-client';
import { ConnectionStatusComponent } from './connection-status.component';
import { LiveCountComponent } from './live-count.component';
import { OnlineListComponent } from './online-list.component';
import { PresenceService } from './presence.service';
import { PRESENCE_CLIENT } from './provide-presently';
import { RecentListComponent } from './recent-list.component';

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
    <presently-live-count data-testid="rated" page="/rated" [every]="every()" />
  `,
})
class CountsHost {
  readonly page = signal('/blog/a');
  readonly every = signal<number | undefined>(5000);
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

@Component({
  imports: [RecentListComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<presently-recent-list [room]="room()" />`,
})
class RecentHost {
  readonly room = signal('lobby');
}

const MIN = 60_000;
const withActivity = (m: Member, activity: Member['activity']): Member => ({ ...m, activity });

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

    it('watches at the rate its every input asks, and again when it changes', async () => {
      const fixture = await render(CountsHost);
      expect(client.rates.filter((r) => r.page === '/rated')).toEqual([{ page: '/rated', every: 5000 }]);
      expect(client.rates.find((r) => r.page === '/other')).toEqual({ page: '/other', every: undefined });
      client.setCount('/rated', 7);
      await fixture.whenStable();
      expect(shown(fixture, '[data-testid=rated]')).toBe('7 reading now');
      fixture.componentInstance.every.set(undefined);
      await fixture.whenStable();
      expect(client.rates.filter((r) => r.page === '/rated')).toEqual([
        { page: '/rated', every: 5000 },
        { page: '/rated', every: undefined },
      ]);
      expect(client.watchers.get('/rated')).toBe(1);
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
      client.sessions.next({ clientId: 'browser-1', userId: 'a_AAAAAAAAAAAAAAAAAAAAAA', name: null, roles: [], serverTime: 0, protocol: '1.1' });
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

  describe('<presently-online-list>: activity and typing (protocol 1.1)', () => {
    const entries = (fixture: ComponentFixture<unknown>) =>
      Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('.presently-online-list__member'), (li) => ({
        activity: li.getAttribute('data-activity'),
        dot: li.querySelector('.presently-online-list__dot')?.getAttribute('data-activity'),
        text: li.textContent?.replace(/\s+/g, ' ').trim(),
      }));

    it('marks idle members with a hollow dot and the word "idle", hidden ones "away", in words and not by colour alone', async () => {
      const fixture = await render(RoomHost);
      client.room('lobby').membersSubject.next([
        withActivity(member('ada', 'online', 'Ada'), 'active'),
        withActivity(member('bob', 'online', 'Bob'), 'idle'),
        withActivity(member('cy', 'busy', 'Cy'), 'hidden'),
        withActivity(member('dan', 'away', 'Dan'), 'hidden'),
        member('eve', 'online', 'Eve'),
      ]);
      await fixture.whenStable();
      expect(entries(fixture)).toEqual([
        { activity: 'active', dot: 'active', text: 'Ada online' },
        { activity: 'idle', dot: 'idle', text: 'Bob online idle' },
        { activity: 'hidden', dot: 'hidden', text: 'Cy busy away' },
        { activity: 'hidden', dot: 'hidden', text: 'Dan away' },
        { activity: 'active', dot: 'active', text: 'Eve online' },
      ]);
    });

    it('says who is typing in a polite live region, by name, changed only when someone starts or stops', async () => {
      const fixture = await render(RoomHost);
      const room = client.room('lobby');
      room.membersSubject.next([member('me', 'online', 'Ada'), member('bob', 'online', 'Bob'), member('cy', 'online', 'Cy'), member('dan'), member('eve')]);
      const region = (fixture.nativeElement as HTMLElement).querySelector('.presently-online-list__typing')!;
      expect(region.getAttribute('aria-live')).toBe('polite');
      expect(region.getAttribute('role')).toBe('status');
      await fixture.whenStable();
      expect(region.textContent).toBe('');
      room.typingSubject.next(['bob']);
      await fixture.whenStable();
      expect(region.textContent).toBe('Bob is typing…');

      const mutations: MutationRecord[] = [];
      const observer = new MutationObserver((records) => mutations.push(...records));
      observer.observe(region, { childList: true, characterData: true, subtree: true });
      // A renewal, or a list that says the same: nothing new to announce.
      room.typingSubject.next(['bob']);
      await fixture.whenStable();
      expect(observer.takeRecords().concat(mutations)).toEqual([]);
      observer.disconnect();

      room.typingSubject.next(['bob', 'cy']);
      await fixture.whenStable();
      expect(region.textContent).toBe('Bob and Cy are typing…');
      room.typingSubject.next(['bob', 'cy', 'dan']);
      await fixture.whenStable();
      expect(region.textContent).toBe('Bob, Cy and dan are typing…');
      room.typingSubject.next(['bob', 'cy', 'dan', 'eve']);
      await fixture.whenStable();
      expect(region.textContent).toBe('Several people are typing…');
      room.typingSubject.next([]);
      await fixture.whenStable();
      expect(region.textContent).toBe('');
    });
  });

  describe('<presently-recent-list>', () => {
    const rows = (fixture: ComponentFixture<unknown>) =>
      Array.from((fixture.nativeElement as HTMLElement).querySelectorAll('.presently-recent-list__entry'), (li) => ({
        text: li.textContent?.replace(/\s+/g, ' ').trim(),
        times: Array.from(li.querySelectorAll('time'), (t) => t.getAttribute('datetime')),
      }));

    it('lists who left, most recent first: how long ago by the server\'s clock and how long they stayed, in <time> elements', async () => {
      client.now = Date.UTC(2030, 0, 1, 12, 0, 0);
      const fixture = await render(RecentHost);
      expect((fixture.nativeElement as HTMLElement).querySelector('ul')).toBeNull();
      client.room('lobby').recentSubject.next([leaver('ada', client.now - 5 * MIN, 12 * MIN + 30_000, 'Ada'), leaver('bob', client.now - 70 * MIN, 20_000, 'Bob')]);
      await fixture.whenStable();
      expect(rows(fixture)).toEqual([
        { text: 'Ada, 5 min ago, stayed 12 min', times: ['2030-01-01T11:55:00.000Z', 'PT12M30S'] },
        { text: 'Bob, 1 h 10 min ago, stayed under a minute', times: ['2030-01-01T10:50:00.000Z', 'PT20S'] },
      ]);
      expect((fixture.nativeElement as HTMLElement).querySelector('ul')!.getAttribute('aria-label')).toBe('Recently in lobby');
      client.room('lobby').recentSubject.next([]);
      await fixture.whenStable();
      expect(text(fixture, '.presently-recent-list__empty')).toBe('Nobody left recently.');
    });

    it('asks while shown, and follows its room', async () => {
      const fixture = await render(RecentHost);
      expect(client.room('lobby').recentWatchers).toBe(1);
      fixture.componentInstance.room.set('other');
      await fixture.whenStable();
      expect(client.room('lobby').recentWatchers).toBe(0);
      expect(client.room('other').recentWatchers).toBe(1);
      fixture.destroy();
      expect(client.room('other').recentWatchers).toBe(0);
    });
  });

  describe('PresenceService: protocol 1.1 signals', () => {
    @Component({ template: '' })
    class Reader {
      readonly presence = TestBed.inject(PresenceService);
      readonly typing = this.presence.typing('lobby');
      readonly recent = this.presence.recent('lobby');
    }

    it('gives typing, recent leavers, this page\'s activity and the session after a sign-in as signals', async () => {
      const fixture = await render(Reader);
      const reader = fixture.componentInstance;
      expect(reader.typing()).toEqual([]);
      expect(reader.recent()).toBeNull();
      expect(reader.presence.activity()).toBe('active');
      client.room('lobby').typingSubject.next(['bob']);
      client.room('lobby').recentSubject.next([leaver('cy', 1, 2)]);
      client.activitySubject.next('idle');
      await reader.presence.client.setToken('ada');
      expect(reader.typing()).toEqual(['bob']);
      expect(reader.recent()).toEqual([leaver('cy', 1, 2)]);
      expect(reader.presence.activity()).toBe('idle');
      expect(reader.presence.session()?.userId).toBe('ada');
    });

    it('gives null recent leavers when the server refuses them', async () => {
      const room = client.room('lobby');
      const fixture = await render(Reader);
      room.recentSubject.error(new Error('FORBIDDEN'));
      await fixture.whenStable();
      expect(fixture.componentInstance.recent()).toBeNull();
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
