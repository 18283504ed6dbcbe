import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterLink } from '@angular/router';

@Component({
  selector: 'app-not-found-page',
  imports: [RouterLink],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <section class="page" data-testid="not-found-page">
      <p class="eyebrow">404</p>
      <h1>Nothing here</h1>
      <p class="lede">This page does not exist. The demo lives on the pages in the header.</p>
      <a class="button" routerLink="/">Back to the start</a>
    </section>
  `,
})
export class NotFoundPage {}
