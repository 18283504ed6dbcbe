import { Announced } from './announced';

const same = (a: number, b: number) => a === b;

describe('Announced', () => {
  describe('with an initial value', () => {
    let total: Announced<number, string>;
    beforeEach(() => (total = new Announced(same, 0)));

    it('holds the initial value as sent', () => {
      expect(total.last).toBe(0);
      expect(total.lastFor('a')).toBe(0);
    });

    it('is due for a value other than the one sent, which then becomes the one sent', () => {
      expect(total.due(3)).toBe(true);
      expect(total.last).toBe(3);
      expect(total.due(3)).toBe(false);
      expect(total.due(0)).toBe(true);
      expect(total.last).toBe(0);
    });

    it('is not due for the value sent when nobody was answered another one', () => {
      expect(total.due(0)).toBe(false);
      total.acked('a', 0);
      expect(total.due(0)).toBe(false);
    });

    it('owes the value sent to a subscriber that was answered another one', () => {
      total.acked('a', 2);
      expect(total.lastFor('a')).toBe(2);
      expect(total.lastFor('b')).toBe(0);
      expect(total.due(0)).toBe(true);
      expect(total.lastFor('a')).toBe(0);
      // Told now: nothing more is owed.
      expect(total.due(0)).toBe(false);
    });

    it('owes nothing to a subscriber answered the value sent again', () => {
      total.acked('a', 2);
      total.acked('a', 0);
      expect(total.lastFor('a')).toBe(0);
      expect(total.due(0)).toBe(false);
    });

    it('keeps what each subscriber was answered apart', () => {
      total.acked('a', 2);
      total.acked('b', 0);
      expect(total.due(0)).toBe(true);
    });

    it('owes nothing to a subscriber that unsubscribed', () => {
      total.acked('a', 2);
      total.forget('a');
      expect(total.lastFor('a')).toBe(0);
      expect(total.due(0)).toBe(false);
    });

    it('owes nothing to a subscriber that `stillSubscribed` rejects, and forgets it', () => {
      total.acked('gone', 2);
      expect(total.due(0, (s) => s !== 'gone')).toBe(false);
      expect(total.due(0)).toBe(false);
    });

    it('owes the value sent to a subscriber that `stillSubscribed` accepts', () => {
      total.acked('gone', 2);
      total.acked('here', 5);
      const asked: string[] = [];
      expect(
        total.due(0, (s) => {
          asked.push(s);
          return s === 'here';
        }),
      ).toBe(true);
      expect(asked).toEqual(['gone', 'here']);
    });

    it('asks nothing of the subscribers when the value changed', () => {
      total.acked('a', 2);
      const stillSubscribed = jest.fn(() => true);
      expect(total.due(1, stillSubscribed)).toBe(true);
      expect(stillSubscribed).not.toHaveBeenCalled();
    });

    it('is due for a subscriber holding another value even if it holds the new one', () => {
      // 'a' was answered 2 while 0 was sent; 2 is then due because it differs from 0.
      total.acked('a', 2);
      expect(total.due(2)).toBe(true);
      expect(total.lastFor('a')).toBe(2);
      expect(total.due(2)).toBe(false);
    });

    it('is due once after invalidate, whatever the value', () => {
      total.invalidate();
      expect(total.last).toBe(0);
      expect(total.due(0)).toBe(true);
      expect(total.due(0)).toBe(false);
    });

    it('lets a caller record a subscriber its broadcast skipped', () => {
      total.acked('hidden', 0);
      const before = total.lastFor('hidden');
      expect(total.due(4)).toBe(true);
      total.acked('hidden', before as number);
      expect(total.lastFor('hidden')).toBe(0);
      expect(total.lastFor('shown')).toBe(4);
      // Caught up later, directly: nothing owed any more.
      total.acked('hidden', 4);
      expect(total.due(4)).toBe(false);
    });
  });

  describe('without an initial value', () => {
    it('is due for the first value whatever it is, then only for changes', () => {
      const total = new Announced<number, string>(same);
      expect(total.last).toBeUndefined();
      expect(total.lastFor('a')).toBeUndefined();
      expect(total.due(0)).toBe(true);
      expect(total.last).toBe(0);
      expect(total.due(0)).toBe(false);
      expect(total.due(1)).toBe(true);
    });

    it('records an ack before anything was sent, and the first value still goes out', () => {
      const total = new Announced<number, string>(same);
      total.acked('a', 7);
      expect(total.lastFor('a')).toBe(7);
      expect(total.due(7)).toBe(true);
      expect(total.due(7)).toBe(false);
    });
  });

  it('compares values with the given `same`', () => {
    const counts = new Announced<{ viewers: number }, string>((a, b) => a.viewers === b.viewers, { viewers: 0 });
    expect(counts.due({ viewers: 0 })).toBe(false);
    counts.acked('a', { viewers: 0 });
    expect(counts.due({ viewers: 0 })).toBe(false);
    const one = { viewers: 1 };
    expect(counts.due(one)).toBe(true);
    expect(counts.last).toBe(one);
    expect(counts.due({ viewers: 1 })).toBe(false);
    expect(counts.last).toBe(one);
  });
});
