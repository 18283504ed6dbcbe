import { findPost } from '../blog/posts';

const LABELS: Record<string, string> = {
  '/': 'Home',
  '/blog': 'Blog',
  '/dashboard': 'Dashboard',
  '/poll': 'Live poll',
};

/** A readable name for a page key of this demo; other keys are shown as they are. */
export function pageLabel(page: string): string {
  if (LABELS[page]) return LABELS[page];
  const post = /^\/blog\/([^/]+)$/.exec(page);
  if (post) return findPost(post[1])?.title ?? page;
  const room = /^\/chat\/([^/]+)$/.exec(page);
  if (room) return `Chat: #${room[1]}`;
  return page;
}
