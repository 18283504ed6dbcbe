/**
 * @jest-environment jsdom
 */
import { definePresentlyBadge } from './element';

describe('definePresentlyBadge (the ES module entry)', () => {
  it('defines the element once per name and answers the defined class afterwards', () => {
    const first = definePresentlyBadge('https://presence.example.com');
    expect(customElements.get('presently-badge')).toBe(first);
    expect(definePresentlyBadge('https://other.example.com')).toBe(first);
    const named = definePresentlyBadge('https://presence.example.com', 'reader-count');
    expect(customElements.get('reader-count')).toBe(named);
    expect(named).not.toBe(first);
  });

  it('inserts no badge by itself', () => {
    definePresentlyBadge('https://presence.example.com');
    expect(document.querySelectorAll('presently-badge')).toHaveLength(0);
  });
});
