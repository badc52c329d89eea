/** The repos section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const repoRoutes: RouteObject[] = [{ path: 'repos', element: <PageHeader title="repos" /> }];
