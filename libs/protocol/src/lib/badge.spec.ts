import { BADGE_COLOR_NAMES, BADGE_STYLES } from './badge';
import { badgeQuerySchema } from './badge-query';
import { validate } from './validation';

describe('badgeQuerySchema', () => {
  const ok = (query: unknown) => validate(badgeQuerySchema, query);

  it('accepts a page alone, and every style and colour name', () => {
    expect(ok({ page: '/blog/x' })).toEqual({ ok: true, value: { page: '/blog/x' } });
    for (const style of BADGE_STYLES) expect(ok({ page: '/p', style })).toMatchObject({ ok: true });
    for (const color of BADGE_COLOR_NAMES) expect(ok({ page: '/p', color, labelColor: color })).toMatchObject({ ok: true });
  });

  it('accepts hex colours with or without #, and any label up to 64 characters, empty included', () => {
    for (const color of ['4c1', '#4c1', 'ff69b4', '#FF69B4']) expect(ok({ page: '/p', color })).toMatchObject({ ok: true });
    for (const label of ['', 'readers', '<b>&"\'', 'x'.repeat(64), '😀 lecteurs']) {
      expect(ok({ page: '/p', label })).toEqual({ ok: true, value: { page: '/p', label } });
    }
  });

  it('drops parameters it does not know', () => {
    expect(ok({ page: '/p', logo: 'github', cacheSeconds: '1' })).toEqual({ ok: true, value: { page: '/p' } });
  });

  it.each([
    ['a missing page', {}, 'page'],
    ['an empty page', { page: '' }, 'page'],
    ['a repeated page', { page: ['/a', '/b'] }, 'page'],
    ['a page with a control character', { page: '/a\u0007' }, 'page'],
    ['a page too long', { page: 'x'.repeat(513) }, 'page'],
    ['a label too long', { page: '/p', label: 'x'.repeat(65) }, 'label'],
    ['a label with a newline', { page: '/p', label: 'a\nb' }, 'label'],
    ['a label with a right-to-left override', { page: '/p', label: 'readers \u202e0' }, 'label'],
    ['a label with a first-strong isolate', { page: '/p', label: '\u2068readers' }, 'label'],
    ['a label with a line separator', { page: '/p', label: 'a\u2028b' }, 'label'],
    ['a label with a paragraph separator', { page: '/p', label: 'a\u2029b' }, 'label'],
    ['a repeated label', { page: '/p', label: ['a', 'b'] }, 'label'],
    ['an unknown style', { page: '/p', style: 'round' }, 'style'],
    ['an unknown colour name', { page: '/p', color: 'chartreuse' }, 'color'],
    ['a CSS function colour', { page: '/p', color: 'rgb(1,2,3)' }, 'color'],
    ['a 4-digit hex colour', { page: '/p', labelColor: '#abcd' }, 'labelColor'],
    ['markup as a colour', { page: '/p', color: '"/><script>' }, 'color'],
  ])('refuses %s with BAD_REQUEST naming the field', (_label, query, field) => {
    const result = ok(query);
    expect(result).toMatchObject({ ok: false, error: { code: 'BAD_REQUEST' } });
    if (!result.ok) expect(result.error.message).toContain(field);
  });
});
