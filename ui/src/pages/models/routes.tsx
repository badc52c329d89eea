/** The models section's routes. */
import type { RouteObject } from 'react-router';

export const modelRoutes: RouteObject[] = [
  {
    path: 'models',
    lazy: () => import('./ModelsIndex').then((module) => ({ Component: module.ModelsIndex })),
  },
  {
    path: 'models/:name',
    lazy: () => import('./ModelPage').then((module) => ({ Component: module.ModelPage })),
  },
  {
    path: 'models/:name/compare',
    lazy: () => import('./CompareVersions').then((module) => ({ Component: module.CompareVersions })),
  },
];
