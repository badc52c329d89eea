/** The lineage section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const lineageRoutes: RouteObject[] = [{ path: 'lineage', element: <PageHeader title="lineage" /> }];
