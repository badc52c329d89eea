/** A CSV (or TSV) file as a virtualised table with its header; the first 10,000 rows. */
import { useMemo } from 'react';
import { VirtualTable, type Column } from '../../../components/VirtualTable';
import { parseCsv } from './csv';
import { useBlobText } from './TextPreview';

const MAX_ROWS = 10_000;

type Row = { index: number; cells: string[] };

export function CsvPreview({ blob, delimiter }: { blob: Blob; delimiter: string }) {
  const text = useBlobText(blob);
  const parsed = useMemo(
    () => (text === null ? null : parseCsv(text, MAX_ROWS, delimiter)),
    [text, delimiter],
  );
  const columns = useMemo<Column<Row>[]>(() => {
    if (!parsed) return [];
    const width = parsed.header.length > 6 ? '10rem' : 'minmax(7rem, 1fr)';
    return [
      {
        id: '#',
        header: '#',
        width: '3.5rem',
        className: 'text-right tabular-nums text-muted',
        cell: (row) => row.index + 1,
      },
      ...parsed.header.map((name, column) => ({
        id: `c${column}`,
        header: (
          <span title={name} className="normal-case">
            {name || `column ${column + 1}`}
          </span>
        ),
        width,
        cell: (row: Row) => <span title={row.cells[column]}>{row.cells[column] ?? ''}</span>,
      })),
    ];
  }, [parsed]);
  const rows = useMemo(() => parsed?.rows.map((cells, index) => ({ index, cells })) ?? [], [parsed]);
  if (!parsed) return null;
  return (
    <div>
      <p className="mb-2 text-muted">
        {parsed.truncated
          ? `Showing the first ${MAX_ROWS.toLocaleString('en-US')} rows; download the file for the rest.`
          : `${rows.length.toLocaleString('en-US')} rows, ${parsed.header.length} columns.`}
      </p>
      <VirtualTable
        label="CSV rows"
        rows={rows}
        columns={columns}
        rowKey={(row) => String(row.index)}
        rowHeight={32}
        maxHeight="60vh"
        empty={<p className="text-muted">The file has a header but no rows.</p>}
      />
    </div>
  );
}
