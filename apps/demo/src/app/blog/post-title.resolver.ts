import type { ResolveFn } from '@angular/router';
import { findPost } from './posts';

/** The browser tab's title on a post page. */
export const postTitle: ResolveFn<string> = (route) => {
  const post = findPost(route.paramMap.get('slug') ?? '');
  return `${post ? post.title : 'Post not found'} · Presently demo`;
};
