/** A chart legend: a colour swatch and a name per series. */
export function Legend({ items }: { items: { name: string; color: string }[] }) {
  return (
    <ul className="mt-2 flex flex-wrap gap-x-4 gap-y-1 text-xs text-muted" aria-label="Legend">
      {items.map((item) => (
        <li key={item.name} className="flex items-center gap-1.5">
          <span className="inline-block h-0.5 w-4 rounded" style={{ background: item.color }} aria-hidden />
          <span className="font-mono text-fg">{item.name}</span>
        </li>
      ))}
    </ul>
  );
}
