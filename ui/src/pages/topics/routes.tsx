/** The topics section's routes. */
import type { RouteObject } from 'react-router';

export const topicRoutes: RouteObject[] = [
  {
    path: 'topics',
    lazy: () => import('./TopicsIndex').then((module) => ({ Component: module.TopicsIndex })),
  },
  {
    path: 'topics/:name',
    lazy: () => import('./TopicPage').then((module) => ({ Component: module.TopicPage })),
  },
];
