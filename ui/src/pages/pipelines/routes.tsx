/** The pipelines section's routes. */
import type { RouteObject } from 'react-router';

export const pipelineRoutes: RouteObject[] = [
  {
    path: 'pipelines',
    lazy: () => import('./PipelineList').then((module) => ({ Component: module.PipelineList })),
  },
  {
    path: 'pipelines/:name',
    lazy: () => import('./PipelinePage').then((module) => ({ Component: module.PipelinePage })),
  },
  {
    path: 'pipelines/:name/launch',
    lazy: () => import('./LaunchPage').then((module) => ({ Component: module.LaunchPage })),
  },
];
