import { pageKey } from '../shell/page-key';
import { pageLabel } from './page-label';

describe('page labels and keys', () => {
  it.each([
    ['/', 'Home'],
    ['/blog', 'Blog'],
    ['/blog/grace-period', 'The grace period'],
    ['/blog/unknown', '/blog/unknown'],
    ['/chat/lobby', 'Chat: #lobby'],
    ['/poll', 'Live poll'],
    ['elsewhere', 'elsewhere'],
  ])('labels %s as %s', (page, label) => expect(pageLabel(page)).toBe(label));

  it('keys a page by its path alone, within the protocol limit', () => {
    expect(pageKey('/blog/x?utm=1#top')).toBe('/blog/x');
    expect(pageKey('?q=1')).toBe('/');
    expect(pageKey(`/${'a'.repeat(600)}`)).toHaveLength(512);
  });
});
