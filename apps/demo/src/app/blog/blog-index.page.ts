import { DatePipe } from '@angular/common';
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';
import { LiveCountComponent } from '@presently/angular';
import { POSTS, postPath } from './posts';

/** The posts, each with how many read it now (watched: this page's reader is not counted on them). */
@Component({
  selector: 'app-blog-index-page',
  imports: [RouterLink, DatePipe, LiveCountComponent],
  changeDetection: ChangeDetectionStrategy.OnPush,
  templateUrl: './blog-index.page.html',
  styleUrl: './blog.css',
})
export class BlogIndexPage {
  readonly posts = POSTS.map((post) => ({ ...post, path: postPath(post.slug) }));
}
