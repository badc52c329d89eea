/** The repos section's routes: the repo list and one repo's browser. */
import type { RouteObject } from 'react-router';
import { RepoPage } from './RepoPage';
import { ReposPage } from './ReposPage';

export const repoRoutes: RouteObject[] = [
  { path: 'repos', element: <ReposPage /> },
  { path: 'repos/:repo', element: <RepoPage /> },
];
