/** The pipelines section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const pipelineRoutes: RouteObject[] = [
  { path: 'pipelines', element: <PageHeader title="pipelines" /> },
];
