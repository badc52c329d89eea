/** The lineage section's routes: the landing page, a commit's lineage and a model version's. */
import type { RouteObject } from 'react-router';

export const lineageRoutes: RouteObject[] = [
  {
    path: 'lineage',
    lazy: () => import('./LineagePage').then((module) => ({ Component: module.LineagePage })),
  },
  {
    path: 'lineage/commit/:repo/:commit',
    lazy: () => import('./CommitLineagePage').then((module) => ({ Component: module.CommitLineagePage })),
  },
  {
    path: 'lineage/model/:name/:version',
    lazy: () => import('./ModelLineagePage').then((module) => ({ Component: module.ModelLineagePage })),
  },
];
