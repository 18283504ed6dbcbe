/**
 * @jest-environment jsdom
 */
import { clientId, CLIENT_ID_KEY, newClientId, saveClientId } from './client-id';

describe('clientId', () => {
  beforeEach(() => localStorage.clear());

  it('creates well-formed, distinct ids', () => {
    const ids = new Set(Array.from({ length: 100 }, newClientId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('keeps one id in localStorage for every tab of the origin', () => {
    const id = clientId();
    expect(localStorage.getItem(CLIENT_ID_KEY)).toBe(id);
    expect(clientId()).toBe(id);
  });

  it('keeps an id the server confirmed, and ignores a malformed one', () => {
    saveClientId('server-assigned-1');
    expect(clientId()).toBe('server-assigned-1');
    saveClientId('bad id');
    saveClientId(42);
    expect(localStorage.getItem(CLIENT_ID_KEY)).toBe('server-assigned-1');
  });
});
