/** The lineage section's routes: the landing page, a commit's lineage and a model version's. */
import type { RouteObject } from 'react-router';
import { CommitLineagePage } from './CommitLineagePage';
import { LineagePage } from './LineagePage';
import { ModelLineagePage } from './ModelLineagePage';

export const lineageRoutes: RouteObject[] = [
  { path: 'lineage', element: <LineagePage /> },
  { path: 'lineage/commit/:repo/:commit', element: <CommitLineagePage /> },
  { path: 'lineage/model/:name/:version', element: <ModelLineagePage /> },
];
