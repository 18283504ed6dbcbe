import type { Routes } from '@angular/router';
import { postTitle } from './blog/post-title.resolver';

export const routes: Routes = [
  { path: '', pathMatch: 'full', title: 'Presently demo', loadComponent: () => import('./home/home.page').then((m) => m.HomePage) },
  { path: 'blog', title: 'Blog · Presently demo', loadComponent: () => import('./blog/blog-index.page').then((m) => m.BlogIndexPage) },
  { path: 'blog/:slug', title: postTitle, loadComponent: () => import('./blog/blog-post.page').then((m) => m.BlogPostPage) },
  { path: 'chat', pathMatch: 'full', redirectTo: 'chat/lobby' },
  { path: 'chat/:room', title: 'Chat · Presently demo', loadComponent: () => import('./chat/chat.page').then((m) => m.ChatPage) },
  { path: 'dashboard', title: 'Dashboard · Presently demo', loadComponent: () => import('./dashboard/dashboard.page').then((m) => m.DashboardPage) },
  { path: 'poll', title: 'Live poll · Presently demo', loadComponent: () => import('./poll/poll.page').then((m) => m.PollPage) },
  { path: '**', title: 'Not found · Presently demo', data: { countVisit: false }, loadComponent: () => import('./shell/not-found.page').then((m) => m.NotFoundPage) },
];
