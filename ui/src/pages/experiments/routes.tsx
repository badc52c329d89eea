/** The experiments section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const experimentRoutes: RouteObject[] = [
  { path: 'experiments', element: <PageHeader title="experiments" /> },
];
