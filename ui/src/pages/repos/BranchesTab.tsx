/** The repo page's Branches tab: each branch with its head commit. */
import type { Branch } from '../../api/types';
import { Command, EmptyState } from '../../components/States';
import { VirtualTable, type Column } from '../../components/VirtualTable';
import { formatAgo, formatTime, shortId } from '../../lib/format';
import { repoHref } from './repo-url';

const COLUMNS: Column<Branch>[] = [
  {
    id: 'name',
    header: 'Branch',
    width: 'minmax(10rem, 1fr)',
    cell: (branch) => <span className="font-medium">{branch.name}</span>,
  },
  {
    id: 'head',
    header: 'Head',
    width: '10rem',
    cell: (branch) => (
      <span className="font-mono text-xs">{branch.head ? shortId(branch.head) : 'empty'}</span>
    ),
  },
  {
    id: 'created',
    header: 'Created',
    width: '10rem',
    cell: (branch) => (
      <span className="text-muted" title={formatTime(branch.createdAt)}>
        {formatAgo(branch.createdAt)}
      </span>
    ),
  },
];

export function BranchesTab({ repo, branches }: { repo: string; branches: readonly Branch[] }) {
  return (
    <VirtualTable
      label="Branches"
      rows={branches}
      columns={COLUMNS}
      rowKey={(branch) => branch.name}
      rowHref={(branch) => repoHref(repo, branch.name, 'files')}
      empty={
        <EmptyState title="No branches yet">
          The first commit makes the branch <code className="font-mono">main</code>; another branch starts
          from any commit.
          <div className="flex flex-col items-center">
            <Command>{`sluice put ${repo} ./folder`}</Command>
            <Command>{`sluice branch create ${repo}@dev --from main`}</Command>
          </div>
        </EmptyState>
      }
    />
  );
}
