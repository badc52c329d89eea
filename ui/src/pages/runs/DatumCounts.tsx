/**
 * Per step, how many datums are in each state, and the total they add up to. A count links
 * to the Datums tab filtered to that step and state.
 */
import { Link, useLocation } from 'react-router';
import { DATUM_STATES, stateColor, type StepCounts } from './run-state';

function countHref(search: string, step: string, state?: string): string {
  const next = new URLSearchParams(search);
  next.set('tab', 'datums');
  next.set('step', step);
  if (state) next.set('state', state);
  else next.delete('state');
  return `?${next.toString()}`;
}

/** The counts block of a run page (`data-testid="datum-counts"`). */
export function DatumCounts({ counts, steps }: { counts: StepCounts; steps: readonly string[] }) {
  const { search } = useLocation();
  const used = DATUM_STATES.filter((state) => steps.some((step) => (counts[step]?.[state] ?? 0) > 0));
  const total = steps.reduce((sum, step) => sum + (counts[step]?.total ?? 0), 0);
  if (steps.length === 0)
    return (
      <p data-testid="datum-counts" className="text-muted">
        No datums yet: the run has not started any step.
      </p>
    );
  return (
    <div data-testid="datum-counts" className="overflow-x-auto">
      <table className="w-full text-sm">
        <caption className="sr-only">Datums per step and state</caption>
        <thead className="text-left text-xs text-muted uppercase">
          <tr>
            <th className="py-1 pr-4 font-semibold">Step</th>
            {used.map((state) => (
              <th key={state} className="px-2 py-1 text-right font-semibold">
                <span className="inline-flex items-center gap-1">
                  <span
                    className="size-2 rounded-full"
                    style={{ background: stateColor(state) }}
                    aria-hidden
                  />
                  {state.replace('_', ' ')}
                </span>
              </th>
            ))}
            <th className="py-1 pl-4 text-right font-semibold">Total</th>
          </tr>
        </thead>
        <tbody className="tabular-nums">
          {steps.map((step) => {
            const row = counts[step] ?? {};
            const sum = used.reduce((acc, state) => acc + (row[state] ?? 0), 0);
            return (
              <tr key={step} className="border-t border-line/60" data-step={step}>
                <th scope="row" className="py-1 pr-4 text-left font-mono font-normal">
                  <Link to={countHref(search, step)} className="hover:text-accent hover:underline">
                    {step}
                  </Link>
                </th>
                {used.map((state) => (
                  <td key={state} className="px-2 py-1 text-right">
                    {row[state] ? (
                      <Link
                        to={countHref(search, step, state)}
                        className="hover:underline"
                        style={{ color: stateColor(state) }}
                        aria-label={`${row[state]} ${state} datums of ${step}`}
                      >
                        {row[state]}
                      </Link>
                    ) : (
                      <span className="text-muted/60">0</span>
                    )}
                  </td>
                ))}
                <td
                  className="py-1 pl-4 text-right font-semibold"
                  title={`${used.map((state) => row[state] ?? 0).join(' + ')} = ${sum}`}
                >
                  {row.total ?? 0}
                </td>
              </tr>
            );
          })}
          <tr className="border-t border-line font-semibold">
            <th scope="row" className="py-1 pr-4 text-left">
              All steps
            </th>
            {used.map((state) => (
              <td key={state} className="px-2 py-1 text-right">
                {steps.reduce((sum, step) => sum + (counts[step]?.[state] ?? 0), 0)}
              </td>
            ))}
            <td className="py-1 pl-4 text-right" data-testid="datum-total">
              {total}
            </td>
          </tr>
        </tbody>
      </table>
    </div>
  );
}
