/** The runs section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const runRoutes: RouteObject[] = [{ path: 'runs', element: <PageHeader title="runs" /> }];
