import { defineBadge } from './lib/presently-badge';

export { defineBadge };
export type { BadgeState } from './lib/live-count';

/**
 * The badge as an ES module (the npm package's entry point), for pages built
 * with a bundler: defines `<presently-badge>` for the Presently server at
 * `server`, once per document (a name already defined is left as it is), and
 * answers the element's class. Unlike `badge.js` it inserts no badge by
 * itself: put `<presently-badge page="/post/1">` where it should show.
 *
 * @example
 * definePresentlyBadge('https://presence.example.com');
 */
export function definePresentlyBadge(server: string, name = 'presently-badge'): CustomElementConstructor {
  const defined = customElements.get(name);
  if (defined) return defined;
  const element = defineBadge(server);
  customElements.define(name, element);
  return element;
}
