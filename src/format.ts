/**
 * Numbers for people: short, and readable for small values (1.2e-4, not 0.00). Shared by the plain
 * progress lines and the dashboard so both say the same thing.
 */
export function formatNumber(value: number | null | undefined, digits = 4): string {
  if (value === null || value === undefined) return '—';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '∞' : '-∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e5 || magnitude < 1e-3) {
    // 1.2e-4, 1e5: trailing zeros of the mantissa say nothing.
    return value
      .toExponential(Math.max(0, digits - 2))
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  }
  // toPrecision keeps `digits` significant digits; Number() drops trailing zeros.
  return String(Number(value.toPrecision(digits)));
}

export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(1)}%`;
}

export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(Math.floor(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h ${String(m % 60).padStart(2, '0')}m`;
}

export function formatVector(values: readonly number[], max = 8): string {
  const shown = values.slice(0, max).map((v) => formatNumber(v));
  return `[${shown.join(', ')}${values.length > max ? `, … (${values.length - max} more)` : ''}]`;
}

/** What a run's end means and what to try, in plain words; empty when nothing went wrong. */
export function statusAdvice(status: string, learningRate?: number, standardized?: boolean): string {
  switch (status) {
    case 'dead':
      return `The neuron is dead: no training row has w·x + b > 0, so both gradients are exactly zero and it can never learn again. Start with a positive \`init.bias\`, or use a smaller learning rate so a step cannot push every row below zero${standardized === false ? '; set `data.standardize: true` so that features on large scales cannot throw every row below zero in one step' : ''}.`;
    case 'diverged':
      return `Training diverged: the loss or a parameter stopped being a finite number. Use a smaller learning rate${learningRate ? ` (try ${formatNumber(learningRate / 10)})` : ''}, or set \`data.standardize: true\` when features have large values.`;
    case 'interrupted':
      return 'Interrupted: the log ends with the parameters reached so far.';
    default:
      return '';
  }
}

/** One CSV line (RFC 4180): a cell with a comma, quote or line break is quoted, its quotes doubled. */
export function csvRow(cells: readonly string[]): string {
  return cells.map((c) => (/[",\n\r]/.test(c) ? `"${c.replace(/"/g, '""')}"` : c)).join(',');
}
