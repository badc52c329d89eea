/**
 * The UI's routes: each section of `pages/` lists its own under the shared layout, and loads
 * its pages on first use (one chunk per page), so opening a run does not parse the charts.
 */
import { createBrowserRouter, Navigate, useRouteError } from 'react-router';
import { Layout } from './components/Layout';
import { ErrorView } from './components/States';
import { experimentRoutes } from './pages/experiments/routes';
import { lineageRoutes } from './pages/lineage/routes';
import { modelRoutes } from './pages/models/routes';
import { pipelineRoutes } from './pages/pipelines/routes';
import { repoRoutes } from './pages/repos/routes';
import { runRoutes } from './pages/runs/routes';
import { topicRoutes } from './pages/topics/routes';

function RouteError() {
  return (
    <div className="p-6">
      <ErrorView error={useRouteError()} title="This page failed" />
    </div>
  );
}

function NotFound() {
  return <ErrorView title="No such page" error={`Nothing lives at ${window.location.pathname}.`} />;
}

export const router = createBrowserRouter([
  {
    path: '/',
    element: <Layout />,
    errorElement: <RouteError />,
    children: [
      { index: true, element: <Navigate to="/pipelines" replace /> },
      ...pipelineRoutes,
      ...runRoutes,
      ...repoRoutes,
      ...lineageRoutes,
      ...experimentRoutes,
      ...modelRoutes,
      ...topicRoutes,
      { path: '*', element: <NotFound /> },
    ],
  },
]);
