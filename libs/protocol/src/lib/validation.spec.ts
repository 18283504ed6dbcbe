import { validatePayload } from './validation';

describe('validatePayload', () => {
  it('accepts a page key', () => {
    expect(validatePayload('page:enter', { page: '/blog/x' })).toEqual({ ok: true, value: { page: '/blog/x' } });
  });
});
