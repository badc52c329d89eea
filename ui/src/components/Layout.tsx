/**
 * The frame of every page: the sidebar (also reachable with `g` then a letter), the live
 * indicator, the theme switch and the token button; the page renders in the main area.
 */
import {
  Boxes,
  Database,
  FlaskConical,
  GitBranch,
  KeyRound,
  ListChecks,
  Moon,
  Network,
  RadioTower,
  Sun,
  Workflow,
} from 'lucide-react';
import { useEffect, useState, type ComponentType } from 'react';
import { NavLink, Outlet, useNavigate } from 'react-router';
import { savedToken } from '../api/client';
import { useLiveEvents } from '../api/events';
import { useTheme } from '../lib/theme';
import { TokenDialog } from './TokenDialog';

const NAV: { to: string; label: string; key: string; icon: ComponentType<{ className?: string }> }[] = [
  { to: '/pipelines', label: 'Pipelines', key: 'p', icon: Workflow },
  { to: '/runs', label: 'Runs', key: 'r', icon: ListChecks },
  { to: '/repos', label: 'Repos', key: 'd', icon: Database },
  { to: '/lineage', label: 'Lineage', key: 'l', icon: Network },
  { to: '/experiments', label: 'Experiments', key: 'e', icon: FlaskConical },
  { to: '/models', label: 'Models', key: 'm', icon: Boxes },
  { to: '/topics', label: 'Topics', key: 't', icon: RadioTower },
];

/** `g` then a letter goes to a section, unless the user is typing in a field. */
function useSectionKeys(): void {
  const navigate = useNavigate();
  useEffect(() => {
    let armed = 0;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target as HTMLElement | null;
      if (event.metaKey || event.ctrlKey || event.altKey) return;
      if (target && (target.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(target.tagName))) return;
      if (event.key === 'g') {
        armed = Date.now();
        return;
      }
      if (Date.now() - armed < 1500) {
        const item = NAV.find((entry) => entry.key === event.key);
        armed = 0;
        if (item) void navigate(item.to);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [navigate]);
}

export function Layout() {
  const [theme, toggleTheme] = useTheme();
  const [tokenOpen, setTokenOpen] = useState(false);
  const [token, setToken] = useState(savedToken);
  useEffect(() => {
    const update = () => setToken(savedToken());
    window.addEventListener('sluice-token', update);
    return () => window.removeEventListener('sluice-token', update);
  }, []);
  const live = useLiveEvents(token);
  useSectionKeys();
  return (
    <div className="flex h-full">
      <a
        href="#main"
        className="sr-only focus:not-sr-only focus:absolute focus:z-50 focus:m-2 focus:rounded focus:bg-panel focus:p-2"
      >
        Skip to content
      </a>
      <aside className="flex w-52 shrink-0 flex-col border-r border-line bg-panel">
        <div className="flex items-center gap-2 px-4 py-4 text-lg font-semibold">
          <GitBranch className="size-5 text-accent" aria-hidden /> Sluice
        </div>
        <nav aria-label="Sections" className="flex flex-col gap-0.5 px-2">
          {NAV.map(({ to, label, key, icon: Icon }) => (
            <NavLink
              key={to}
              to={to}
              title={`${label} (g ${key})`}
              className={({ isActive }) =>
                `flex items-center gap-2 rounded-md px-3 py-2 ${isActive ? 'bg-accent/10 font-medium text-accent' : 'text-fg hover:bg-sunken'}`
              }
            >
              <Icon className="size-4" aria-hidden /> {label}
            </NavLink>
          ))}
        </nav>
        <div className="mt-auto flex items-center justify-between gap-1 border-t border-line p-3 text-xs text-muted">
          <span className="flex items-center gap-1.5" role="status" aria-live="polite" data-testid="live">
            <span className={`size-2 rounded-full ${live ? 'bg-ok' : 'bg-muted'}`} aria-hidden />
            {live ? 'live' : 'offline'}
          </span>
          <span className="flex gap-1">
            <button
              type="button"
              onClick={() => setTokenOpen(true)}
              className="rounded p-1.5 hover:bg-sunken"
              aria-label={token ? 'Change API token' : 'Set API token'}
              title="API token"
            >
              <KeyRound className="size-4" aria-hidden />
            </button>
            <button
              type="button"
              onClick={toggleTheme}
              className="rounded p-1.5 hover:bg-sunken"
              aria-label={theme === 'dark' ? 'Switch to light theme' : 'Switch to dark theme'}
              title="Theme"
            >
              {theme === 'dark' ? (
                <Sun className="size-4" aria-hidden />
              ) : (
                <Moon className="size-4" aria-hidden />
              )}
            </button>
          </span>
        </div>
      </aside>
      <main id="main" className="min-w-0 flex-1 overflow-auto p-6">
        <Outlet />
      </main>
      <TokenDialog open={tokenOpen} onOpenChange={setTokenOpen} />
    </div>
  );
}
