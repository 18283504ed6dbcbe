import { KeptToken, type TokenStorage } from './kept-token';

const jwt = (exp: number) => `e30.${btoa(JSON.stringify({ sub: 'ada', exp })).replace(/=+$/, '')}.sig`;

class MemoryStorage implements TokenStorage {
  readonly items = new Map<string, string>();
  getItem(key: string): string | null {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.items.set(key, value);
  }
  removeItem(key: string): void {
    this.items.delete(key);
  }
}

describe('the kept token', () => {
  it('is read back while it is valid, and forgotten on signing out', () => {
    const storage = new MemoryStorage();
    const kept = new KeptToken(storage, () => 1_000_000);
    expect(kept.read()).toBeNull();
    const token = jwt(3_600 + 1_000);
    kept.keep(token);
    expect(kept.read()).toBe(token);
    expect(new KeptToken(storage, () => 1_000_000).read()).toBe(token);
    kept.keep(null);
    expect(kept.read()).toBeNull();
    expect(kept.held()).toBe(false);
  });

  it('is dropped once it has expired, or is about to: a handshake presenting it would be refused', () => {
    const storage = new MemoryStorage();
    let now = 0;
    const kept = new KeptToken(storage, () => now);
    kept.keep(jwt(120));
    expect(kept.read()).not.toBeNull();
    now = 70_000;
    expect(kept.read()).toBeNull();
    expect(storage.items.size).toBe(0);
  });

  it('tells a kept token from none, valid or not', () => {
    const kept = new KeptToken(new MemoryStorage(), () => Number.MAX_SAFE_INTEGER);
    kept.keep(jwt(1));
    expect(kept.held()).toBe(true);
  });

  it('keeps nothing, and never throws, where the browser refuses storage or has none', () => {
    const refusing: TokenStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => {
        throw new Error('SecurityError');
      },
    };
    for (const storage of [refusing, null]) {
      const kept = new KeptToken(storage);
      expect(() => kept.keep(jwt(2_000_000_000))).not.toThrow();
      expect(kept.read()).toBeNull();
      expect(kept.held()).toBe(false);
    }
  });
});
