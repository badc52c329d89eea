/** Buttons and link-buttons in three weights; every action in the UI uses these. */
import type { ButtonHTMLAttributes, ReactNode } from 'react';
import { Link, type LinkProps } from 'react-router';

type Variant = 'primary' | 'secondary' | 'danger' | 'ghost';

const VARIANTS: Record<Variant, string> = {
  primary: 'bg-accent text-accent-fg hover:opacity-90 border-transparent',
  secondary: 'bg-panel text-fg border-line hover:bg-sunken',
  danger: 'bg-panel text-bad border-line hover:bg-sunken',
  ghost: 'bg-transparent text-fg border-transparent hover:bg-sunken',
};

/** The classes of a button of `variant`. */
export function buttonClass(variant: Variant = 'secondary', extra = ''): string {
  return `inline-flex items-center gap-1.5 rounded-md border px-3 py-1.5 text-sm font-medium transition disabled:cursor-not-allowed disabled:opacity-50 ${VARIANTS[variant]} ${extra}`;
}

export function Button({
  variant = 'secondary',
  className = '',
  type = 'button',
  ...rest
}: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return <button type={type} className={buttonClass(variant, className)} {...rest} />;
}

export function LinkButton({
  variant = 'secondary',
  className = '',
  children,
  ...rest
}: LinkProps & { variant?: Variant; children: ReactNode }) {
  return (
    <Link className={buttonClass(variant, className)} {...rest}>
      {children}
    </Link>
  );
}
