/** The pipelines section's routes. */
import type { RouteObject } from 'react-router';
import { LaunchPage } from './LaunchPage';
import { PipelineList } from './PipelineList';
import { PipelinePage } from './PipelinePage';

export const pipelineRoutes: RouteObject[] = [
  { path: 'pipelines', element: <PipelineList /> },
  { path: 'pipelines/:name', element: <PipelinePage /> },
  { path: 'pipelines/:name/launch', element: <LaunchPage /> },
];
