import Table from 'cli-table3';
import pc from 'picocolors';
import type { Context } from '../context.js';

export type Colors = ReturnType<typeof pc.createColors>;

export function colors(context: Context): Colors {
  return pc.createColors(context.color);
}

/** A table for a person at a terminal; cli-table3 writes ANSI codes even into a pipe unless told. */
export function renderTable(
  context: Context,
  head: readonly string[],
  rows: readonly (readonly string[])[],
  alignRight: readonly number[] = [],
): string {
  const table = new Table({
    head: [...head],
    style: context.color ? { head: ['bold'], border: ['grey'] } : { head: [], border: [] },
    colAligns: head.map((_, i) => (alignRight.includes(i) ? 'right' : 'left')),
  });
  for (const row of rows) table.push([...row]);
  return table.toString();
}
