/** The models section's routes. */
import type { RouteObject } from 'react-router';
import { CompareVersions } from './CompareVersions';
import { ModelPage } from './ModelPage';
import { ModelsIndex } from './ModelsIndex';

export const modelRoutes: RouteObject[] = [
  { path: 'models', element: <ModelsIndex /> },
  { path: 'models/:name', element: <ModelPage /> },
  { path: 'models/:name/compare', element: <CompareVersions /> },
];
