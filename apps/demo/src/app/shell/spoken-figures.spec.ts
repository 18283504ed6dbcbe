import { pollSplit, readersNow, visitorsOnline } from './spoken-figures';

describe('spoken figures', () => {
  it('say visitors as a sentence, with the right number, and nothing while unknown', () => {
    expect(visitorsOnline(null)).toBe('');
    expect(visitorsOnline(0)).toBe('0 visitors online');
    expect(visitorsOnline(1)).toBe('1 visitor online');
    expect(visitorsOnline(12)).toBe('12 visitors online');
  });

  it('say a poll split, or that nobody voted', () => {
    expect(pollSplit(null)).toBe('');
    expect(pollSplit({ red: 0, blue: 0, total: 0 })).toBe('No votes yet');
    expect(pollSplit({ red: 100, blue: 0, total: 1 })).toBe('Red 100%, blue 0%, 1 click in all');
    expect(pollSplit({ red: 60, blue: 40, total: 5 })).toBe('Red 60%, blue 40%, 5 clicks in all');
  });

  it('say a post\'s readers and how many are active, the readers alone when activity is not counted', () => {
    expect(readersNow(null, null)).toBe('');
    expect(readersNow(3, 2)).toBe('3 reading now, 2 active');
    expect(readersNow(1, 0)).toBe('1 reading now, 0 active');
    expect(readersNow(4, null)).toBe('4 reading now');
  });
});
