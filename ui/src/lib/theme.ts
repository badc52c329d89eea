/** Light and dark: the `dark` class on <html>, saved in localStorage (index.html applies it before paint). */
import { useCallback, useState } from 'react';

export type Theme = 'light' | 'dark';

/** The current theme and a toggle. */
export function useTheme(): [Theme, () => void] {
  const [theme, setTheme] = useState<Theme>(() =>
    document.documentElement.classList.contains('dark') ? 'dark' : 'light',
  );
  const toggle = useCallback(() => {
    const next: Theme = theme === 'dark' ? 'light' : 'dark';
    document.documentElement.classList.toggle('dark', next === 'dark');
    localStorage.setItem('sluice.theme', next);
    setTheme(next);
  }, [theme]);
  return [theme, toggle];
}
