/** The models section's routes. */
import type { RouteObject } from 'react-router';
import { PageHeader } from '../../components/Page';

export const modelRoutes: RouteObject[] = [{ path: 'models', element: <PageHeader title="models" /> }];
