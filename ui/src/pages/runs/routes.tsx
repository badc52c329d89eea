/** The runs section's routes: the runs list and grid, a run, and one datum of a run. */
import type { RouteObject } from 'react-router';
import { DatumPage } from './DatumPage';
import { RunPage } from './RunPage';
import { RunsListPage } from './RunsListPage';

export const runRoutes: RouteObject[] = [
  { path: 'runs', element: <RunsListPage /> },
  { path: 'runs/:id', element: <RunPage /> },
  // NOTE: a step that runs once has the empty datum, whose page has no last segment.
  { path: 'runs/:id/datums/:step', element: <DatumPage /> },
  { path: 'runs/:id/datums/:step/:datum', element: <DatumPage /> },
];
