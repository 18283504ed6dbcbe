import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component, computed, input } from '@angular/core';
import { RouterLink } from '@angular/router';
import { findPost, postPath } from './posts';
import { ReadersNowComponent } from './readers-now.component';

/** One post with its live badge ("3 reading now · 2 active"): this reader counts on the post while it is shown. */
@Component({
  selector: 'app-blog-post-page',
  imports: [RouterLink, DatePipe, ReadersNowComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './blog-post.page.html',
  styleUrl: './blog.css',
})
export class BlogPostPage {
  /** From the route (`/blog/:slug`). */
  readonly slug = input.required<string>();
  readonly post = computed(() => findPost(this.slug()));
  readonly path = computed(() => postPath(this.slug()));
}
