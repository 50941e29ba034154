// A small box-drawing table printer for the demo's output.
type Cell = string | number | boolean | null | undefined;

const show = (v: Cell): string => (v === null || v === undefined ? "—" : v === true ? "✓" : v === false ? "" : String(v));

/** Prints rows as a table under a title. */
export function printTable(title: string, rows: readonly Record<string, Cell>[]): void {
  process.stdout.write(`\n${title}\n`);
  if (rows.length === 0) {
    process.stdout.write("  (aucune ligne)\n");
    return;
  }
  const columns = Object.keys(rows[0] as Record<string, Cell>);
  const widths = columns.map((c) => Math.max(c.length, ...rows.map((r) => show(r[c]).length)));
  const line = (l: string, m: string, r: string) => `${l}${widths.map((w) => "─".repeat(w + 2)).join(m)}${r}\n`;
  const row = (cells: string[]) => `│${cells.map((c, i) => ` ${c.padEnd(widths[i] as number)} `).join("│")}│\n`;
  process.stdout.write(line("┌", "┬", "┐"));
  process.stdout.write(row(columns));
  process.stdout.write(line("├", "┼", "┤"));
  for (const r of rows) process.stdout.write(row(columns.map((c) => show(r[c]))));
  process.stdout.write(line("└", "┴", "┘"));
}
