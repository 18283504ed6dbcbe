/**
 * Where a page's activity comes from: whether it is hidden, and when the
 * user gives input. The client's default is the page's `document`; tests and
 * unusual hosts (an embedded view with its own signals) give their own.
 */
export interface ActivitySource {
  /** Whether the page is hidden now (a background tab, a minimised window). */
  hidden(): boolean;
  /** Calls `changed` whenever the page is hidden or shown; returns the way to stop. */
  onVisibilityChange(changed: () => void): () => void;
  /** Calls `input` on every user input; returns the way to stop. The listener is cheap: it may run on every pointer move. */
  onInput(input: () => void): () => void;
}

/** The input that shows someone is there: pointer, keys, scrolling, focus and touch. */
const INPUT_EVENTS = ['pointerdown', 'pointermove', 'keydown', 'wheel', 'scroll', 'touchstart', 'focus'] as const;

/** Capture (scroll and focus do not bubble) and passive (a listener never delays scrolling). */
const LISTENING = { capture: true, passive: true } as const;

/**
 * The Page Visibility API and the input events of `document`, or `null`
 * where there is no document (Node, a server-side render): then nothing is
 * tracked and nothing is touched.
 */
export function documentActivitySource(doc: Document | undefined = (globalThis as { document?: Document }).document): ActivitySource | null {
  if (!doc || typeof doc.addEventListener !== 'function') return null;
  return {
    hidden: () => doc.visibilityState === 'hidden',
    onVisibilityChange(changed) {
      doc.addEventListener('visibilitychange', changed);
      return () => doc.removeEventListener('visibilitychange', changed);
    },
    onInput(input) {
      for (const event of INPUT_EVENTS) doc.addEventListener(event, input, LISTENING);
      // Coming back to the window from another application focuses the window, not an element.
      const view = doc.defaultView;
      view?.addEventListener('focus', input, LISTENING);
      return () => {
        for (const event of INPUT_EVENTS) doc.removeEventListener(event, input, LISTENING);
        view?.removeEventListener('focus', input, LISTENING);
      };
    },
  };
}
