import { KeyedStreams } from './keyed-streams';

describe('KeyedStreams', () => {
  function setup() {
    const demands: Array<[string, boolean]> = [];
    const latest = new Map<string, number>();
    const streams: KeyedStreams<number> = new KeyedStreams<number>({
      latest: (key) => latest.get(key),
      demand: (key) => demands.push([key, streams.watched(key)]),
      equal: (a, b) => a === b,
    });
    return { streams, demands, latest };
  }

  it('asks for a key on its first subscriber and lets go after its last', () => {
    const { streams, demands } = setup();
    const stream = streams.stream('a');
    expect(streams.stream('a')).toBe(stream);
    const one = stream.subscribe();
    const two = stream.subscribe();
    expect(demands).toEqual([['a', true]]);
    one.unsubscribe();
    expect(demands).toEqual([['a', true]]);
    two.unsubscribe();
    expect(demands).toEqual([['a', true], ['a', false]]);
    expect(streams.keys()).toEqual([]);
  });

  it('gives a late subscriber the current value at once, and a new one the latest known value', () => {
    const { streams, latest } = setup();
    const seen: number[] = [];
    const first = streams.stream('a').subscribe();
    streams.next('a', 1);
    streams.next('a', 1);
    streams.next('a', 2);
    streams.stream('a').subscribe((value) => seen.push(value));
    expect(seen).toEqual([2]);
    first.unsubscribe();
    latest.set('b', 7);
    streams.stream('b').subscribe((value) => seen.push(value));
    expect(seen).toEqual([2, 7]);
  });

  it('fails one key without touching the others, and starts afresh on the next subscription', () => {
    const { streams, demands } = setup();
    const errors: unknown[] = [];
    streams.stream('a').subscribe({ error: (error) => errors.push(error) });
    streams.stream('b').subscribe();
    streams.error('a', new Error('refused'));
    expect(errors).toHaveLength(1);
    expect(streams.keys()).toEqual(['b']);
    streams.stream('a').subscribe();
    expect(demands.filter(([key]) => key === 'a')).toEqual([['a', true], ['a', false], ['a', true]]);
  });

  it('completes every stream on complete, and later subscribers at once', () => {
    const { streams } = setup();
    let completed = 0;
    streams.stream('a').subscribe({ complete: () => completed++ });
    streams.complete();
    streams.stream('c').subscribe({ complete: () => completed++ });
    expect(completed).toBe(2);
  });
});
