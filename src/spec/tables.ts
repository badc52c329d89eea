/**
 * Checks and compiles the `tables:` section (tables steps write rows to) and the `tables:`
 * each step lists: names are SQL-safe lowercase identifiers, every table has columns, and
 * a step only lists declared tables.
 */
import type { Problems } from './problems.js';
import type { TableSpec } from './model.js';
import { TABLE_NAME, type RawPipeline } from './schema.js';

const RULE = "lowercase letters, digits and '_', starting with a letter, at most 63 characters";

/** Adds a problem for each bad table name, column name, empty table or undeclared step table. */
export function checkTables(spec: RawPipeline, problems: Problems): void {
  const declared = Object.keys(spec.tables ?? {});
  for (const [name, table] of Object.entries(spec.tables ?? {})) {
    if (!TABLE_NAME.test(name)) {
      problems.atKey(['tables', name], 'SPEC_TYPE', `table name '${name}' is not valid: use ${RULE}`);
    }
    const columns = Object.keys(table.columns);
    if (columns.length === 0) {
      problems.at(
        ['tables', name, 'columns'],
        'SPEC_REQUIRED',
        `table '${name}': 'columns' is empty; expected at least one column`,
      );
    }
    for (const column of columns) {
      if (!TABLE_NAME.test(column)) {
        problems.atKey(
          ['tables', name, 'columns', column],
          'SPEC_TYPE',
          `table '${name}': column name '${column}' is not valid: use ${RULE} ('_' first is kept for Sluice's own columns)`,
        );
      }
    }
  }
  for (const [stepName, step] of Object.entries(spec.steps)) {
    (step.tables ?? []).forEach((table, index) => {
      if (declared.includes(table)) return;
      problems.at(
        ['steps', stepName, 'tables', index],
        'SPEC_UNDECLARED_TABLE',
        `step '${stepName}' writes table '${table}', which the pipeline does not declare under 'tables'; declared: ${declared.join(', ') || '(none)'}`,
      );
    });
  }
}

/** The compiled tables of a spec that passed {@link checkTables}. */
export function compileTables(spec: RawPipeline): Record<string, TableSpec> {
  const tables: Record<string, TableSpec> = {};
  for (const [name, table] of Object.entries(spec.tables ?? {})) {
    tables[name] = {
      name,
      columns: { ...table.columns },
      ...(table.description !== undefined ? { description: table.description } : {}),
    };
  }
  return tables;
}
