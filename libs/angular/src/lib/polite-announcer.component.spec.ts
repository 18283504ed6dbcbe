import { ChangeDetectionStrategy, Component, PLATFORM_ID, signal } from '@angular/core';
import { type ComponentFixture, TestBed } from '@angular/core/testing';
import { PoliteAnnouncerComponent } from './polite-announcer.component';

@Component({
  imports: [PoliteAnnouncerComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `<presently-announce [text]="text()" [every]="every" />`,
})
class Host {
  readonly text = signal('3 visitors online');
  readonly every = 10_000;
}

describe('<presently-announce>', () => {
  let fixture: ComponentFixture<Host>;

  const region = () => (fixture.nativeElement as HTMLElement).querySelector('presently-announce') as HTMLElement;
  const said = () => region().textContent?.trim();

  /** Sets the figure's text and lets the component see it. */
  function change(text: string): void {
    fixture.componentInstance.text.set(text);
    fixture.detectChanges();
  }

  /** Moves the clock on and renders what the timer said. */
  function pass(ms: number): void {
    jest.advanceTimersByTime(ms);
    fixture.detectChanges();
  }

  afterEach(() => jest.useRealTimers());

  describe('in a browser', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: 1_000_000 });
      fixture = TestBed.createComponent(Host);
      fixture.detectChanges();
    });

    it('is a polite, atomic status region holding the text it was first given', () => {
      expect(region().getAttribute('role')).toBe('status');
      expect(region().getAttribute('aria-live')).toBe('polite');
      expect(region().getAttribute('aria-atomic')).toBe('true');
      expect(said()).toBe('3 visitors online');
    });

    it('says the first change at once, folds the changes that follow within `every` into one, and says the last of them', () => {
      change('4 visitors online');
      expect(said()).toBe('4 visitors online');
      change('5 visitors online');
      change('6 visitors online');
      pass(9_999);
      expect(said()).toBe('4 visitors online');
      change('7 visitors online');
      pass(1);
      expect(said()).toBe('7 visitors online');
    });

    it('says the next change at once after a quiet `every`', () => {
      change('4 visitors online');
      pass(10_000);
      change('5 visitors online');
      expect(said()).toBe('5 visitors online');
    });

    it('says nothing when the figure came back to what was said last', () => {
      change('4 visitors online');
      change('5 visitors online');
      change('4 visitors online');
      pass(10_000);
      expect(said()).toBe('4 visitors online');
      // No announcement was made, so no quiet period runs: the next change is said at once.
      change('6 visitors online');
      expect(said()).toBe('6 visitors online');
    });

    it('leaves no timer behind once destroyed', () => {
      change('4 visitors online');
      change('5 visitors online');
      expect(jest.getTimerCount()).toBe(1);
      fixture.destroy();
      expect(jest.getTimerCount()).toBe(0);
    });
  });

  describe('on the server', () => {
    beforeEach(() => {
      jest.useFakeTimers({ now: 1_000_000 });
      TestBed.configureTestingModule({ providers: [{ provide: PLATFORM_ID, useValue: 'server' }] });
      fixture = TestBed.createComponent(Host);
      fixture.detectChanges();
    });

    it('renders the text as it is and starts no timer', () => {
      change('4 visitors online');
      change('5 visitors online');
      expect(said()).toBe('5 visitors online');
      expect(jest.getTimerCount()).toBe(0);
    });
  });
});
