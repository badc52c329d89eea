/** The runs section's routes: the runs list and grid, a run, and one datum of a run. */
import type { RouteObject } from 'react-router';

export const runRoutes: RouteObject[] = [
  {
    path: 'runs',
    lazy: () => import('./RunsListPage').then((module) => ({ Component: module.RunsListPage })),
  },
  { path: 'runs/:id', lazy: () => import('./RunPage').then((module) => ({ Component: module.RunPage })) },
  // NOTE: a step that runs once has the empty datum, whose page has no last segment.
  {
    path: 'runs/:id/datums/:step',
    lazy: () => import('./DatumPage').then((module) => ({ Component: module.DatumPage })),
  },
  {
    path: 'runs/:id/datums/:step/:datum',
    lazy: () => import('./DatumPage').then((module) => ({ Component: module.DatumPage })),
  },
];
