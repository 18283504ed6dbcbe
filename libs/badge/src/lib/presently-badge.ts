import { badgeEvery } from './every';
import { guard, subscribe, type Snapshot } from './live-count';
import { badgeLabel, badgeText } from './text';

/**
 * Themable through custom properties; `::part(dot)` and `::part(text)`, and
 * the host's `state` attribute (`connecting`, `live`, `offline`), for more.
 */
const STYLE = `:host{display:inline-flex;align-items:center;gap:.45em;padding:var(--presently-padding,.2em .65em);border-radius:var(--presently-radius,1em);background:var(--presently-background,#f1f3f5);color:var(--presently-color,#1f2328);font:var(--presently-font,500 .875rem/1.3 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif);white-space:nowrap;vertical-align:middle}:host([hidden]){display:none}.dot{flex:none;width:.5em;height:.5em;border-radius:50%;background:var(--presently-offline-color,#9aa1a9)}:host([state=live]) .dot{background:var(--presently-dot-color,#1f9d55)}`;

/**
 * `<presently-badge page="/post/1" label="reading now">`: the live number
 * of readers of a page, this browser included. `page` defaults to the
 * current path; a `{n}` in `label` places the number; `every` (ms, one of
 * the protocol's rates, 5000 by default) is how often at most the number may
 * change. Opening the badge counts this browser on that page (badges of one
 * page and rate share one stream).
 */
export function defineBadge(defaultServer: string): CustomElementConstructor {
  return class PresentlyBadge extends HTMLElement {
    static get observedAttributes(): string[] {
      return ['page', 'label', 'server', 'every'];
    }

    private text: HTMLElement | null = null;
    private key = '';
    private unsubscribe: (() => void) | null = null;
    private snapshot: Snapshot = { state: 'connecting', viewers: null };

    connectedCallback(): void {
      guard(() => this.follow());
    }

    disconnectedCallback(): void {
      guard(() => this.stop());
    }

    attributeChangedCallback(): void {
      if (this.isConnected) guard(() => this.follow());
    }

    private follow(): void {
      if (!this.text) {
        const root = this.shadowRoot ?? this.attachShadow({ mode: 'open' });
        root.innerHTML = `<style>${STYLE}</style><span class="dot" part="dot"></span><span part="text" aria-live="polite"></span>`;
        this.text = root.querySelector('[aria-live]');
      }
      const server = (this.getAttribute('server') || defaultServer).replace(/\/+$/, '');
      const page = this.getAttribute('page') || location.pathname;
      const every = badgeEvery(this.getAttribute('every'));
      const key = `${server} ${every} ${page}`;
      if (key !== this.key) {
        this.stop();
        this.key = key;
        this.unsubscribe = subscribe(server, page, every, (snapshot) => {
          this.snapshot = snapshot;
          this.show();
        });
      }
      this.show();
    }

    private stop(): void {
      this.unsubscribe?.();
      this.unsubscribe = null;
      this.key = '';
    }

    private show(): void {
      const text = badgeText(this.snapshot.viewers, badgeLabel(this.getAttribute('label')));
      if (this.text && this.text.textContent !== text) this.text.textContent = text;
      if (this.getAttribute('state') !== this.snapshot.state) this.setAttribute('state', this.snapshot.state);
    }
  };
}
