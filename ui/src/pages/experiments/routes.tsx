/** The experiments section's routes. */
import type { RouteObject } from 'react-router';

export const experimentRoutes: RouteObject[] = [
  {
    path: 'experiments',
    lazy: () => import('./ExperimentsIndex').then((module) => ({ Component: module.ExperimentsIndex })),
  },
  {
    path: 'experiments/:pipeline',
    lazy: () => import('./ExperimentPage').then((module) => ({ Component: module.ExperimentPage })),
  },
  {
    path: 'experiments/:pipeline/compare',
    lazy: () => import('./CompareRuns').then((module) => ({ Component: module.CompareRuns })),
  },
];
