/** The experiments section's routes. */
import type { RouteObject } from 'react-router';
import { CompareRuns } from './CompareRuns';
import { ExperimentPage } from './ExperimentPage';
import { ExperimentsIndex } from './ExperimentsIndex';

export const experimentRoutes: RouteObject[] = [
  { path: 'experiments', element: <ExperimentsIndex /> },
  { path: 'experiments/:pipeline', element: <ExperimentPage /> },
  { path: 'experiments/:pipeline/compare', element: <CompareRuns /> },
];
