import { guard } from './lib/live-count';
import { defineBadge } from './lib/presently-badge';

/**
 * `badge.js`: defines `<presently-badge>` and, when this script tag stands in
 * the body, shows a badge right after it, configured by the tag's `data-page`,
 * `data-label`, `data-server` and `data-every`. The server is the one the script came from.
 * Nothing here ever throws into the host page.
 */
guard(() => {
  const script = document.currentScript as HTMLScriptElement | null;
  if (!window.customElements || !window.EventSource) return;
  const server = script?.src ? new URL(script.src, location.href).origin : location.origin;
  if (!customElements.get('presently-badge')) customElements.define('presently-badge', defineBadge(server));
  if (!script?.parentNode || document.head?.contains(script)) return;
  const badge = document.createElement('presently-badge');
  for (const name of ['page', 'label', 'server', 'every']) {
    const value = script.getAttribute(`data-${name}`);
    if (value !== null) badge.setAttribute(name, value);
  }
  script.parentNode.insertBefore(badge, script.nextSibling);
});
