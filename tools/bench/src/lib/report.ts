import { round } from './histogram';
import type { Check, Row, TargetOutcome } from './scenario';

/** One scenario's results, as printed and as written in the JSON line. */
export interface ScenarioResult {
  scenario: string;
  description: string;
  parameters: Record<string, number>;
  /** By server name; the first is the one under test, the others its references. */
  results: Record<string, TargetOutcome>;
  /** `<first>/<other>` → figure → ratio, for the rows that show one. */
  ratios: Record<string, Record<string, number | null>>;
  checks: Check[];
  /** Set when the scenario could not run at all (the cluster before Redis mode). */
  pending?: string;
}

/** Presently's figure over each reference's, for the rows that show a ratio. */
export function ratios(rows: readonly Row[], results: Record<string, TargetOutcome>): ScenarioResult['ratios'] {
  const [first, ...others] = Object.keys(results);
  const answer: ScenarioResult['ratios'] = {};
  for (const other of others) {
    const byRow: Record<string, number | null> = {};
    for (const row of rows.filter((r) => r.ratio)) {
      const a = results[first]?.figures[row.key];
      const b = results[other]?.figures[row.key];
      byRow[row.key] = typeof a === 'number' && typeof b === 'number' && b !== 0 ? round(a / b, 3) : null;
    }
    answer[`${first}/${other}`] = byRow;
  }
  return answer;
}

/** The comparison table, the notes and the checks, as text. */
export function formatScenario(result: ScenarioResult, rows: readonly Row[]): string {
  const names = Object.keys(result.results);
  const ratioKeys = Object.keys(result.ratios);
  const label = (name: string) => {
    const scale = result.results[name]?.scale;
    return scale !== undefined && scale !== 1 ? `${name}@${Math.round(scale * 100)}%` : name;
  };
  const header = ['', ...names.map(label), ...ratioKeys.map((k) => `${k.split('/')[0].slice(0, 1).toUpperCase()}/${label(k.split('/')[1])}`)];
  const table: string[][] = [header];
  for (const row of rows) {
    table.push([
      row.label,
      ...names.map((name) => cell(result.results[name]?.figures[row.key])),
      ...ratioKeys.map((k) => (row.ratio ? ratioCell(result.ratios[k][row.key]) : '')),
    ]);
  }
  const widths = header.map((_, c) => Math.max(...table.map((line) => line[c].length)));
  const lines = [`\n${result.scenario}: ${result.description}`];
  if (result.pending) lines.push(`  PENDING: ${result.pending}`);
  for (const line of table) lines.push(line.map((text, c) => (c === 0 ? text.padEnd(widths[c]) : text.padStart(widths[c]))).join('  '));
  for (const name of names) {
    const outcome = result.results[name];
    if (outcome.error) lines.push(`  ${name} FAILED: ${outcome.error.split('\n').slice(0, 6).join('\n    ')}`);
    for (const note of outcome.notes) lines.push(`  ${name}: ${note}`);
  }
  for (const c of result.checks) lines.push(`  ${c.pass === null ? 'n/a ' : c.pass ? 'PASS' : 'FAIL'}  ${c.target}: ${c.measured}`);
  return `${lines.join('\n')}\n`;
}

function cell(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return Number.isInteger(value) ? String(value) : String(round(value, 2));
}

function ratioCell(value: number | null | undefined): string {
  if (value === null || value === undefined) return '-';
  return `${value >= 10 ? round(value, 1) : value >= 0.1 ? round(value, 2) : round(value, 4)}×`;
}
