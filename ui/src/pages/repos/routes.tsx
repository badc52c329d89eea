/** The repos section's routes: the repo list and one repo's browser. */
import type { RouteObject } from 'react-router';

export const repoRoutes: RouteObject[] = [
  { path: 'repos', lazy: () => import('./ReposPage').then((module) => ({ Component: module.ReposPage })) },
  {
    path: 'repos/:repo',
    lazy: () => import('./RepoPage').then((module) => ({ Component: module.RepoPage })),
  },
];
